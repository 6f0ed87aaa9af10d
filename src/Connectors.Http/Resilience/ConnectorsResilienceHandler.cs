using Connectors.Http.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Connectors.Http;

/// <summary>
/// A <see cref="DelegatingHandler"/> that runs each request through a Polly.Core pipeline — total timeout → retry
/// (exponential backoff with jitter, honouring <c>Retry-After</c> and vendor reset headers) → circuit breaker (one per
/// partition key) → attempt timeout — on a <see cref="TimeProvider"/>, and maps what fails after the last attempt to the
/// <see cref="Connectors.Abstractions.ConnectorException"/> family. Writes are retried only when marked
/// <see cref="ConnectorsHttpRequest.RetrySafe"/>.
/// </summary>
public sealed class ConnectorsResilienceHandler : DelegatingHandler
{
    private readonly ResiliencePartitions _partitions;

    /// <summary>Creates a handler with its own circuit-breaker state.</summary>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <param name="governor">
    /// A rate governor to wait on before every attempt (inside the retry, outside the attempt timeout) and to feed with
    /// every response, for requests with a budget key; <see langword="null"/> for none.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; the message lists each problem.</exception>
    public ConnectorsResilienceHandler(
        ConnectorsResilienceOptions options, TimeProvider? timeProvider = null, ILogger? logger = null, IRateGovernor? governor = null)
        : this(new ResiliencePartitions(options, timeProvider ?? TimeProvider.System, logger ?? NullLogger.Instance, governor))
    {
    }

    internal ConnectorsResilienceHandler(ResiliencePartitions partitions)
    {
        _partitions = partitions;
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = _partitions.Options;
        var pipeline = _partitions.Get(request);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ResiliencePartitions.RequestKey, request);
        var state = new AttemptState(this, request, _partitions.Governor is null ? null : _partitions.GovernorKey(request));
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, s) =>
                {
                    s.Attempts++;
                    try
                    {
                        return Outcome.FromResult(await s.Handler.AttemptAsync(s, ctx.CancellationToken).ConfigureAwait(false));
                    }
#pragma warning disable CA1031 // Every failure becomes an outcome the pipeline judges.
                    catch (Exception exception)
#pragma warning restore CA1031
                    {
                        return Outcome.FromException<HttpResponseMessage>(exception);
                    }
                },
                context,
                state).ConfigureAwait(false);

            if (outcome.Exception is { } exception)
            {
                if ((exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
                    || exception is Connectors.Abstractions.ConnectorException)
                {
                    // The caller's cancellation, or the governor's "paused until": passed on unchanged.
                    outcome.ThrowIfException();
                }

                var mapped = HttpFailureMapper.FromException(exception, request, options, state.Attempts);
                Fail(request, state.Attempts, mapped);
                throw mapped;
            }

            var result = outcome.Result!;
            if ((int)result.StatusCode < 400 || !options.ThrowOnFailure)
            {
                return result;
            }

            var failure = HttpFailureMapper.FromResponse(result, request, options, state.Attempts, _partitions.Time);
            result.Dispose();
            Fail(request, state.Attempts, failure);
            throw failure;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private void Fail(HttpRequestMessage request, int attempts, Connectors.Abstractions.ConnectorException exception)
    {
        HttpTelemetry.Failures.Add(
            1,
            new KeyValuePair<string, object?>("vendor", _partitions.Options.ConnectorId),
            new KeyValuePair<string, object?>("status_code", exception.StatusCode));
        if (_partitions.Logger.IsEnabled(LogLevel.Warning))
        {
            Log.RequestFailed(_partitions.Logger, request.Method.Method, SafeUrl.Format(request.RequestUri), attempts, exception.Message);
        }
    }

    private async Task<HttpResponseMessage> AttemptAsync(AttemptState state, CancellationToken cancellationToken)
    {
        var governor = _partitions.Governor;
        if (governor is not null && state.BudgetKey is { } key)
        {
            await governor.WaitAsync(
                key, ConnectorsHttpRequest.GetTenant(state.Request), ConnectorsHttpRequest.GetCost(state.Request), cancellationToken)
                .ConfigureAwait(false);
        }

        var response = await _partitions.AttemptPipeline.ExecuteAsync(
            static (s, ct) => new ValueTask<HttpResponseMessage>(s.Handler.SendInnerAsync(s.Request, ct)), state, cancellationToken)
            .ConfigureAwait(false);
        if (governor is not null && state.BudgetKey is { } observed)
        {
            governor.Observe(observed, response);
        }

        return response;
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private sealed class AttemptState(ConnectorsResilienceHandler handler, HttpRequestMessage request, RateBudgetKey? budgetKey)
    {
        public ConnectorsResilienceHandler Handler { get; } = handler;

        public HttpRequestMessage Request { get; } = request;

        public RateBudgetKey? BudgetKey { get; } = budgetKey;

        public int Attempts { get; set; }
    }
}
