namespace Connectors.Abstractions;

/// <summary>
/// The root of every error a connector raises. Messages never carry secrets.
/// </summary>
public class ConnectorException : Exception
{
    /// <summary>Creates an exception.</summary>
    public ConnectorException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ConnectorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConnectorException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the vendor id of the connector that failed.</summary>
    public string? Connector { get; init; }

    /// <summary>Gets the operation that failed, for example <c>orders.read</c>.</summary>
    public string? Operation { get; init; }

    /// <summary>Gets whether retrying the same call later may succeed.</summary>
    public bool IsTransient { get; init; }

    /// <summary>Gets the HTTP status code, when there was one.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets the vendor's request id, for support.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets how long the vendor asked to wait before retrying.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets the vendor's answer (body) when it helps a person understand the failure; never holds secrets.</summary>
    public string? VendorAnswer { get; init; }
}

/// <summary>The vendor's rate limit was reached.</summary>
public sealed class RateLimitException : ConnectorException
{
    /// <summary>Creates an exception.</summary>
    public RateLimitException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public RateLimitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RateLimitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Gets when the budget is available again, when a long (daily) budget is spent: the run then ends as paused, not
    /// failed.
    /// </summary>
    public DateTimeOffset? PausedUntil { get; init; }
}

/// <summary>The vendor refused the credentials; a person may need to authorise the connection again.</summary>
public sealed class ConnectorAuthenticationException : ConnectorException
{
    /// <summary>Creates an exception.</summary>
    public ConnectorAuthenticationException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ConnectorAuthenticationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConnectorAuthenticationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets whether the credential is revoked for good (as opposed to a transient failure to refresh it).</summary>
    public bool IsRevoked { get; init; }
}

/// <summary>The record requested does not exist.</summary>
public sealed class RecordNotFoundException : ConnectorException
{
    /// <summary>Creates an exception.</summary>
    public RecordNotFoundException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public RecordNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RecordNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The target already holds the record being created (settlement mode <see cref="SettlementMode.RejectsDuplicates"/>).</summary>
public sealed class DuplicateRecordException : ConnectorException
{
    /// <summary>Creates an exception.</summary>
    public DuplicateRecordException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public DuplicateRecordException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DuplicateRecordException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the key of the record the target already holds, when it says.</summary>
    public string? ExistingKey { get; init; }
}

/// <summary>
/// A record's content is invalid. The message follows the one fixed format:
/// <c>Order 'sales/1042' field 'lines[2].unitPrice': "abc" is not a decimal</c>.
/// </summary>
public sealed class RecordValidationException : ConnectorException
{
    /// <summary>Creates an exception.</summary>
    public RecordValidationException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public RecordValidationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RecordValidationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception in the fixed message format.</summary>
    /// <param name="kind">The entity kind.</param>
    /// <param name="recordKey">The record's key.</param>
    /// <param name="field">The canonical path of the field.</param>
    /// <param name="problem">What is wrong with it.</param>
    public RecordValidationException(EntityKind kind, string recordKey, string field, string problem)
        : base(RecordMessage.Format(kind, recordKey, field, problem))
    {
        Field = field;
        RecordKey = recordKey;
        Problem = problem;
    }

    /// <summary>Gets the canonical path of the offending field.</summary>
    public string? Field { get; init; }

    /// <summary>Gets the key of the offending record.</summary>
    public string? RecordKey { get; init; }

    /// <summary>Gets what is wrong, without the record and field prefix.</summary>
    public string? Problem { get; init; }
}

/// <summary>
/// A store found a schema newer than the code understands, or could not migrate its schema.
/// </summary>
public sealed class StoreSchemaException : Exception
{
    /// <summary>Creates an exception.</summary>
    public StoreSchemaException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public StoreSchemaException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public StoreSchemaException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Formats the one message format every record error uses.</summary>
public static class RecordMessage
{
    /// <summary>
    /// Formats <c>Order 'sales/1042' field 'lines[2].unitPrice': "abc" is not a decimal</c>: the entity kind with a
    /// capital letter, the record key, the field's canonical path and the problem.
    /// </summary>
    /// <param name="kind">The entity kind.</param>
    /// <param name="recordKey">The record's key.</param>
    /// <param name="field">The canonical path of the field; empty for the record as a whole.</param>
    /// <param name="problem">What is wrong.</param>
    /// <returns>The message.</returns>
    public static string Format(EntityKind kind, string recordKey, string field, string problem)
    {
        ArgumentNullException.ThrowIfNull(recordKey);
        ArgumentNullException.ThrowIfNull(problem);
        var name = kind.Value;
        var display = name.Length == 0 ? name : string.Concat(char.ToUpperInvariant(name[0]).ToString(), name.AsSpan(1));
        return string.IsNullOrEmpty(field)
            ? $"{display} '{recordKey}': {problem}"
            : $"{display} '{recordKey}' field '{field}': {problem}";
    }
}
