using Connectors.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Connectors.Http;

/// <summary>What happened to a received webhook delivery.</summary>
public enum WebhookAcceptResult
{
    /// <summary>The signature did not match any active secret: answer 401 and store nothing.</summary>
    Rejected,

    /// <summary>Stored as a new pending item.</summary>
    Added,

    /// <summary>Merged into a pending item for the same record.</summary>
    Coalesced,

    /// <summary>The delivery id was seen before (a replay or a repeated delivery): ignored, answer 2xx.</summary>
    Duplicate,
}

/// <summary>
/// Accepts webhook deliveries: verifies the signature, then persists the delivery in the <see cref="IWebhookInbox"/>
/// (before the endpoint answers 2xx), where a replayed delivery id is reported as <see cref="WebhookAcceptResult.Duplicate"/>.
/// </summary>
public sealed class WebhookDeduplicator
{
    private readonly IWebhookInbox _inbox;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a de-duplicator.</summary>
    /// <param name="inbox">The webhook inbox of the store.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inbox"/> is <see langword="null"/>.</exception>
    public WebhookDeduplicator(IWebhookInbox inbox, TimeProvider? timeProvider = null, ILogger<WebhookDeduplicator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(inbox);
        _inbox = inbox;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Verifies a delivery's signature over its raw body, then stores it unless its delivery id was seen before.</summary>
    /// <param name="verifier">The verifier holding the connection's active secrets.</param>
    /// <param name="rawBody">The raw body bytes, exactly as received.</param>
    /// <param name="signature">The signature header's value.</param>
    /// <param name="delivery">The delivery to store; <see cref="WebhookDelivery.ReceivedAt"/> is set to now when left default.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>What happened to the delivery.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="verifier"/> or <paramref name="delivery"/> is <see langword="null"/>.</exception>
    public async Task<WebhookAcceptResult> AcceptAsync(
        WebhookSignatureVerifier verifier, ReadOnlyMemory<byte> rawBody, string? signature, WebhookDelivery delivery,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(delivery);
        if (!verifier.Verify(rawBody.Span, signature))
        {
            Log.WebhookRejected(_logger, delivery.DeliveryId, delivery.Connection, delivery.TenantId);
            return WebhookAcceptResult.Rejected;
        }

        return await AcceptVerifiedAsync(delivery, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores an already verified delivery unless its delivery id was seen before.</summary>
    /// <param name="delivery">The delivery; <see cref="WebhookDelivery.ReceivedAt"/> is set to now when left default.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns><see cref="WebhookAcceptResult.Added"/>, <see cref="WebhookAcceptResult.Coalesced"/> or <see cref="WebhookAcceptResult.Duplicate"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="delivery"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delivery has no delivery id.</exception>
    public async Task<WebhookAcceptResult> AcceptVerifiedAsync(WebhookDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (string.IsNullOrWhiteSpace(delivery.DeliveryId))
        {
            throw new ArgumentException("A webhook delivery needs its vendor delivery id for de-duplication.", nameof(delivery));
        }

        if (delivery.ReceivedAt == default)
        {
            delivery = delivery with { ReceivedAt = _time.GetUtcNow() };
        }

        var result = await _inbox.EnqueueAsync(delivery, cancellationToken).ConfigureAwait(false) switch
        {
            WebhookEnqueueResult.Added => WebhookAcceptResult.Added,
            WebhookEnqueueResult.Coalesced => WebhookAcceptResult.Coalesced,
            _ => WebhookAcceptResult.Duplicate,
        };
        Log.WebhookAccepted(_logger, delivery.DeliveryId, delivery.Connection, delivery.TenantId, result);
        return result;
    }
}
