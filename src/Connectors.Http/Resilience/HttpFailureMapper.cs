using System.Globalization;
using System.Net;
using Connectors.Abstractions;
using Connectors.Http.Internal;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Connectors.Http;

/// <summary>Maps what is left after the last attempt to the <see cref="ConnectorException"/> family, without secrets.</summary>
internal static class HttpFailureMapper
{
    public static ConnectorException FromResponse(
        HttpResponseMessage response, HttpRequestMessage request, ConnectorsResilienceOptions options, int attempts, TimeProvider time)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfterReader.Read(response, time) ?? options.VendorRetryDelay?.Invoke(response);
        var requestId = ReadRequestId(response, options.RequestIdHeaders);
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"{Prefix(request, options)}{request.Method} {SafeUrl.Format(request.RequestUri)} answered {status} {response.ReasonPhrase ?? response.StatusCode.ToString()}{RequestIdPart(requestId)} after {attempts} attempt(s){RetryAfterPart(retryAfter)}.");
        var transient = status is 408 or 429 or >= 500;

        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => new RateLimitException(message)
            {
                Connector = options.ConnectorId, Operation = Operation(request), StatusCode = status, RequestId = requestId,
                RetryAfter = retryAfter, IsTransient = true,
            },
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new ConnectorAuthenticationException(message)
            {
                Connector = options.ConnectorId, Operation = Operation(request), StatusCode = status, RequestId = requestId,
                RetryAfter = retryAfter, IsTransient = false,
            },
            HttpStatusCode.NotFound => new RecordNotFoundException(message)
            {
                Connector = options.ConnectorId, Operation = Operation(request), StatusCode = status, RequestId = requestId,
                RetryAfter = retryAfter, IsTransient = false,
            },
            _ => new ConnectorException(message)
            {
                Connector = options.ConnectorId, Operation = Operation(request), StatusCode = status, RequestId = requestId,
                RetryAfter = retryAfter, IsTransient = transient,
            },
        };
    }

    public static ConnectorException FromException(
        Exception exception, HttpRequestMessage request, ConnectorsResilienceOptions options, int attempts)
    {
        var target = $"{Prefix(request, options)}{request.Method} {SafeUrl.Format(request.RequestUri)}";
        return exception switch
        {
            BrokenCircuitException broken => new ConnectorException(
                string.Create(CultureInfo.InvariantCulture, $"{target} was not sent: the circuit breaker is open after repeated failures{RetryAfterPart(broken.RetryAfter)}."),
                exception)
            {
                Connector = options.ConnectorId, Operation = Operation(request), IsTransient = true, RetryAfter = broken.RetryAfter,
            },
            TimeoutRejectedException timeout => new ConnectorException(
                string.Create(CultureInfo.InvariantCulture, $"{target} timed out after {timeout.Timeout} ({attempts} attempt(s))."),
                exception)
            {
                Connector = options.ConnectorId, Operation = Operation(request), IsTransient = true,
            },
            HttpRequestException or IOException => new ConnectorException(
                string.Create(CultureInfo.InvariantCulture, $"{target} failed after {attempts} attempt(s): {exception.GetType().Name}."),
                exception)
            {
                Connector = options.ConnectorId, Operation = Operation(request), IsTransient = true,
                StatusCode = exception is HttpRequestException { StatusCode: { } code } ? (int)code : null,
            },
            _ => new ConnectorException(
                string.Create(CultureInfo.InvariantCulture, $"{target} failed after {attempts} attempt(s): {exception.GetType().Name}."),
                exception)
            {
                Connector = options.ConnectorId, Operation = Operation(request), IsTransient = false,
            },
        };
    }

    internal static string? ReadRequestId(HttpResponseMessage response, IEnumerable<string> headers)
    {
        foreach (var header in headers)
        {
            if (response.Headers.TryGetValues(header, out var values))
            {
                var value = values.FirstOrDefault();
                if (!string.IsNullOrWhiteSpace(value))
                {
                    return value.Length <= 200 ? value : value[..200];
                }
            }
        }

        return null;
    }

    private static string? Operation(HttpRequestMessage request) => ConnectorsHttpRequest.GetOperation(request);

    private static string Prefix(HttpRequestMessage request, ConnectorsResilienceOptions options)
    {
        var operation = Operation(request);
        return (options.ConnectorId, operation) switch
        {
            (null, null) => string.Empty,
            (null, { } op) => $"{op}: ",
            ({ } id, null) => $"{id}: ",
            ({ } id, { } op) => $"{id} {op}: ",
        };
    }

    private static string RequestIdPart(string? requestId) => requestId is null ? string.Empty : $" (request id {requestId})";

    private static string RetryAfterPart(TimeSpan? retryAfter) =>
        retryAfter is { } wait ? string.Create(CultureInfo.InvariantCulture, $"; retry after {wait}") : string.Empty;
}
