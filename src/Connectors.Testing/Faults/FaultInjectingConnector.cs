using System.Globalization;
using System.Text.Json.Nodes;
using Connectors.Abstractions;

namespace Connectors.Testing;

/// <summary>The faults a <see cref="FaultInjectingConnector"/> injects.</summary>
public enum FaultKind
{
    /// <summary>A write failed with a transient 503 before it reached the inner connector: nothing was written.</summary>
    TransientWriteFailure,

    /// <summary>
    /// A write reached the inner connector and was applied, then its answer was lost: the caller sees a transient
    /// failure (a 500, a connection reset or a time-out) and cannot tell that the write happened.
    /// </summary>
    LostWriteAnswer,

    /// <summary>A read failed with a transient 503.</summary>
    TransientReadFailure,

    /// <summary>A call was refused with a 429 and a retry-after (<see cref="RateLimitException"/>).</summary>
    RateLimited,

    /// <summary>A record in a page of changes was replaced by one the connector "could not read" (a <see cref="RecordProblem"/>).</summary>
    MalformedRecord,
}

/// <summary>The probabilities and seed of a <see cref="FaultInjectingConnector"/>. Each rate is between 0 and 1.</summary>
public sealed class FaultInjectionOptions
{
    /// <summary>Gets or sets the seed of the random sequence: the same seed and the same calls give the same faults.</summary>
    /// <value>The default value is 1.</value>
    public int Seed { get; set; } = 1;

    /// <summary>Gets or sets the probability that a write fails transiently (503) before it reaches the inner connector.</summary>
    /// <value>The default value is 0.</value>
    public double TransientWriteFailureRate { get; set; }

    /// <summary>Gets or sets the probability that a write is applied by the inner connector and its answer then lost.</summary>
    /// <value>The default value is 0.</value>
    public double LostWriteAnswerRate { get; set; }

    /// <summary>
    /// Gets or sets the probability that a read (change read, read by key, look-up, job poll) fails transiently (503).
    /// </summary>
    /// <value>The default value is 0.</value>
    public double TransientReadFailureRate { get; set; }

    /// <summary>Gets or sets the probability that any call is refused with a 429 (<see cref="RateLimitException"/>).</summary>
    /// <value>The default value is 0.</value>
    public double RateLimitRate { get; set; }

    /// <summary>Gets or sets the retry-after a 429 carries.</summary>
    /// <value>The default value is one second.</value>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the fraction of records that change reads serve as malformed. Which records is decided by their kind,
    /// key and the seed, so the same record is malformed every time it is read until
    /// <see cref="FaultInjectingConnector.FixMalformed"/> fixes it.
    /// </summary>
    /// <value>The default value is 0.</value>
    public double MalformedRecordRate { get; set; }
}

/// <summary>
/// A decorator that injects seeded, reproducible faults in front of a connector: transient write failures, writes
/// applied whose answer is lost, transient read failures, rate limiting (429 with retry-after), and malformed records
/// in change reads. Every fault raised counts in <see cref="FaultCounts"/>; <see cref="Enabled"/> turns them all off.
/// </summary>
/// <remarks>
/// Random draws come from one <see cref="Random"/> seeded with <see cref="FaultInjectionOptions.Seed"/>, a fixed number
/// per call, so the same seed and the same sequence of calls give the same faults. Which records are malformed does
/// not depend on the call sequence at all, only on the seed, the kind and the key. Rates are read at each call, so a
/// test may change them on the options object between calls. Thread-safe.
/// </remarks>
public sealed class FaultInjectingConnector : DelegatingConnector
{
    private readonly Lock _gate = new();
    private readonly FaultInjectionOptions _options;
    private readonly Random _random;
    private readonly Dictionary<FaultKind, int> _counts = [];
    private readonly HashSet<(EntityKind Kind, string Key)> _fixed = [];
    private volatile bool _enabled = true;

    /// <summary>Creates the decorator.</summary>
    /// <param name="innerConnector">The connector the calls go to.</param>
    /// <param name="options">The seed and rates; kept, so later changes to the rates take effect.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate is outside [0, 1] or the retry-after is negative.</exception>
    public FaultInjectingConnector(IConnector innerConnector, FaultInjectionOptions options)
        : base(innerConnector)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckRate(options.TransientWriteFailureRate, nameof(options.TransientWriteFailureRate));
        CheckRate(options.LostWriteAnswerRate, nameof(options.LostWriteAnswerRate));
        CheckRate(options.TransientReadFailureRate, nameof(options.TransientReadFailureRate));
        CheckRate(options.RateLimitRate, nameof(options.RateLimitRate));
        CheckRate(options.MalformedRecordRate, nameof(options.MalformedRecordRate));
        if (options.RetryAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RetryAfter, "The retry-after must not be negative.");
        }

        _options = options;
        _random = new Random(options.Seed);
        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            _counts[kind] = 0;
        }
    }

    /// <summary>Gets or sets whether faults are injected. When off, every call passes straight through and no random draw is made.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>Gets the options (seed and rates) in use.</summary>
    public FaultInjectionOptions Options => _options;

    /// <summary>Gets how often each fault fired so far (a snapshot; every kind is present).</summary>
    public IReadOnlyDictionary<FaultKind, int> FaultCounts
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<FaultKind, int>(_counts);
            }
        }
    }

    /// <summary>Gets how many faults of every kind fired so far.</summary>
    public int TotalFaults
    {
        get
        {
            lock (_gate)
            {
                return _counts.Values.Sum();
            }
        }
    }

    /// <summary>Gets whether change reads serve a record as malformed (independent of <see cref="Enabled"/>).</summary>
    /// <param name="kind">The record's kind.</param>
    /// <param name="key">The record's key.</param>
    /// <returns><see langword="true"/> when the record is malformed and not fixed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public bool IsMalformed(EntityKind kind, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_options.MalformedRecordRate <= 0)
        {
            return false;
        }

        lock (_gate)
        {
            if (_fixed.Contains((kind, key)))
            {
                return false;
            }
        }

        return Fraction(_options.Seed, kind, key) < _options.MalformedRecordRate;
    }

    /// <summary>"Fixes" a malformed record, as a person correcting it at the vendor would: it reads correctly from now on.</summary>
    /// <param name="kind">The record's kind.</param>
    /// <param name="key">The record's key.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public void FixMalformed(EntityKind kind, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            _fixed.Add((kind, key));
        }
    }

    /// <inheritdoc />
    /// <remarks>May fail with a 429 or a transient 503 before the read; replaces malformed records with problems.</remarks>
    public override async Task<ChangePage> ReadChangesAsync(ChangeQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        BeforeRead(query.Kind, "read");
        var page = await base.ReadChangesAsync(query, cancellationToken).ConfigureAwait(false);
        if (!_enabled || _options.MalformedRecordRate <= 0)
        {
            return page;
        }

        List<ChangedRecord>? replaced = null;
        for (var i = 0; i < page.Records.Count; i++)
        {
            var changed = page.Records[i];
            if (changed.Record is { } record && !changed.Deleted && changed.Problem is null && IsMalformed(query.Kind, changed.Key))
            {
                replaced ??= [.. page.Records];
                replaced[i] = Malform(changed, record);
                Count(FaultKind.MalformedRecord);
            }
        }

        return replaced is null ? page : page with { Records = replaced };
    }

    /// <inheritdoc />
    /// <remarks>May fail with a 429 or a transient 503 before the read.</remarks>
    public override Task<IReadOnlyDictionary<string, ICanonicalRecord>> GetManyAsync(
        EntityKind kind, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        BeforeRead(kind, "get");
        return base.GetManyAsync(kind, keys, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>May fail with a 429 or a transient 503 before the look-up.</remarks>
    public override Task<IReadOnlyList<ICanonicalRecord>> FindByNaturalKeyAsync(
        EntityKind kind, string naturalKey, CancellationToken cancellationToken = default)
    {
        BeforeRead(kind, "find");
        return base.FindByNaturalKeyAsync(kind, naturalKey, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>May fail with a 429 or a transient 503 before the look-up.</remarks>
    public override Task<IReadOnlyList<ICanonicalRecord>> FindByCorrelationAsync(
        EntityKind kind, string correlationValue, CancellationToken cancellationToken = default)
    {
        BeforeRead(kind, "correlate");
        return base.FindByCorrelationAsync(kind, correlationValue, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>May fail with a 429 or a transient 503 before the poll.</remarks>
    public override Task<WriteJobStatus> GetJobStatusAsync(EntityKind kind, string jobId, CancellationToken cancellationToken = default)
    {
        BeforeRead(kind, "job");
        return base.GetJobStatusAsync(kind, jobId, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// May fail with a 429 or a transient 503 before the write reaches the inner connector, or let the inner connector
    /// apply the write and then throw a transient <see cref="ConnectorException"/> (a 500, a connection reset or a
    /// time-out) in place of its answer.
    /// </remarks>
    public override async Task<WriteResult> WriteAsync(WriteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = string.Concat(request.Kind.Value, ".", request.Operation.ToString().ToLowerInvariant());
        FaultKind? fault = null;
        var flavour = 0;
        if (_enabled)
        {
            lock (_gate)
            {
                var rateLimit = _random.NextDouble();
                var before = _random.NextDouble();
                var lost = _random.NextDouble();
                flavour = _random.Next(3);
                fault = rateLimit < _options.RateLimitRate ? FaultKind.RateLimited
                    : before < _options.TransientWriteFailureRate ? FaultKind.TransientWriteFailure
                    : lost < _options.LostWriteAnswerRate ? FaultKind.LostWriteAnswer
                    : null;
            }
        }

        switch (fault)
        {
            case FaultKind.RateLimited:
                Count(FaultKind.RateLimited);
                throw RateLimited(operation);
            case FaultKind.TransientWriteFailure:
                Count(FaultKind.TransientWriteFailure);
                throw Unavailable(operation);
        }

        var result = await base.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        if (fault == FaultKind.LostWriteAnswer)
        {
            Count(FaultKind.LostWriteAnswer);
            throw LostAnswer(operation, flavour);
        }

        return result;
    }

    private void BeforeRead(EntityKind kind, string verb)
    {
        if (!_enabled)
        {
            return;
        }

        FaultKind? fault;
        lock (_gate)
        {
            var rateLimit = _random.NextDouble();
            var failure = _random.NextDouble();
            fault = rateLimit < _options.RateLimitRate ? FaultKind.RateLimited
                : failure < _options.TransientReadFailureRate ? FaultKind.TransientReadFailure
                : null;
        }

        var operation = string.Concat(kind.Value, ".", verb);
        switch (fault)
        {
            case FaultKind.RateLimited:
                Count(FaultKind.RateLimited);
                throw RateLimited(operation);
            case FaultKind.TransientReadFailure:
                Count(FaultKind.TransientReadFailure);
                throw Unavailable(operation);
        }
    }

    private void Count(FaultKind kind)
    {
        lock (_gate)
        {
            _counts[kind]++;
        }
    }

    private RateLimitException RateLimited(string operation)
        => new($"Injected fault: '{VendorId}' answered 429 Too Many Requests to {operation}.")
        {
            Connector = VendorId,
            Operation = operation,
            IsTransient = true,
            StatusCode = 429,
            RetryAfter = _options.RetryAfter,
        };

    private ConnectorException Unavailable(string operation)
        => new($"Injected fault: '{VendorId}' answered 503 Service Unavailable to {operation}.")
        {
            Connector = VendorId,
            Operation = operation,
            IsTransient = true,
            StatusCode = 503,
        };

    private ConnectorException LostAnswer(string operation, int flavour)
        => flavour switch
        {
            0 => new ConnectorException($"Injected fault: '{VendorId}' answered 500 Internal Server Error to {operation} (the write was applied).")
            {
                Connector = VendorId,
                Operation = operation,
                IsTransient = true,
                StatusCode = 500,
            },
            1 => new ConnectorException(
                $"Injected fault: the connection to '{VendorId}' was reset during {operation} (the write was applied).",
                new IOException("Connection reset by peer."))
            {
                Connector = VendorId,
                Operation = operation,
                IsTransient = true,
            },
            _ => new ConnectorException(
                $"Injected fault: {operation} at '{VendorId}' timed out (the write was applied).",
                new TimeoutException("The operation has timed out."))
            {
                Connector = VendorId,
                Operation = operation,
                IsTransient = true,
            },
        };

    private static ChangedRecord Malform(ChangedRecord changed, ICanonicalRecord record)
    {
        var (path, bad, problem) = record switch
        {
            Order { Lines.Count: > 0 } => ("lines[0].unitPrice", "abc", "\"abc\" is not a decimal"),
            Invoice { Lines.Count: > 0 } => ("lines[0].unitPrice", "abc", "\"abc\" is not a decimal"),
            Product => ("price", "12,50 EUR", "\"12,50 EUR\" is not a decimal"),
            StockLevel => ("onHand", "n/a", "\"n/a\" is not a decimal"),
            _ => ("updatedAt", "yesterday", "\"yesterday\" is not an ISO 8601 instant"),
        };
        return new ChangedRecord
        {
            Key = changed.Key,
            ModifiedAt = changed.ModifiedAt,
            Problem = new RecordProblem { Field = path, Message = problem, RawPayload = RawPayload(record, path, bad) },
        };
    }

    private static string? RawPayload(ICanonicalRecord record, string path, string bad)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(CanonicalJson.Serialize(record));
        }
        catch (NotSupportedException)
        {
            return null;
        }

        if (root is not JsonObject node)
        {
            return null;
        }

        var segments = path.Split('.');
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var segment = segments[i];
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            JsonNode? next = bracket < 0
                ? node[segment]
                : node[segment[..bracket]]?[int.Parse(segment.AsSpan(bracket + 1, segment.Length - bracket - 2), CultureInfo.InvariantCulture)];
            if (next is not JsonObject child)
            {
                return root.ToJsonString();
            }

            node = child;
        }

        node[segments[^1]] = bad;
        return root.ToJsonString();
    }

    private static double Fraction(int seed, EntityKind kind, string key)
    {
        // FNV-1a over the seed, kind and key: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var part in new[] { seed.ToString(CultureInfo.InvariantCulture), kind.Value.ToUpperInvariant(), key })
        {
            foreach (var c in part)
            {
                hash = (hash ^ c) * 16777619u;
            }

            hash = (hash ^ 0xFFu) * 16777619u;
        }

        // Final avalanche so that neighbouring keys spread over [0, 1).
        hash ^= hash >> 15;
        hash *= 0x2C1B3C6Du;
        hash ^= hash >> 12;
        return hash / 4294967296.0;
    }

    private static void CheckRate(double rate, string name)
    {
        if (double.IsNaN(rate) || rate < 0 || rate > 1)
        {
            throw new ArgumentOutOfRangeException(name, rate, $"{name} must be between 0 and 1; it is {rate.ToString(CultureInfo.InvariantCulture)}.");
        }
    }
}
