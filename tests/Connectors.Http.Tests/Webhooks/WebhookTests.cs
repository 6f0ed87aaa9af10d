using Connectors.Testing;
using System.Text;
using Connectors.Abstractions;
using Connectors.Core;

namespace Connectors.Http.Tests.Webhooks;

/// <summary>
/// The fixture's signatures were computed outside our code, on this machine, with OpenSSL 3.0.19:
/// <code>
/// openssl dgst -sha256 -hmac 'hush-webhook-secret-2026' -binary &lt; shopify-order-webhook.json | base64 &gt; shopify-order-webhook.sig.base64
/// openssl dgst -sha256 -hmac 'hush-webhook-secret-2026' &lt; shopify-order-webhook.json | sed 's/^.*= //' &gt; shopify-order-webhook.sig.hex
/// </code>
/// The body has no trailing newline and holds non-ASCII bytes and JSON escapes, so any re-encoding would break it.
/// </summary>
public sealed class WebhookTests
{
    private const string Secret = "hush-webhook-secret-2026";
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures");
    private static readonly byte[] Body = File.ReadAllBytes(Path.Combine(FixtureDirectory, "shopify-order-webhook.json"));
    private static readonly string Base64Signature = File.ReadAllText(Path.Combine(FixtureDirectory, "shopify-order-webhook.sig.base64")).Trim();
    private static readonly string HexSignature = File.ReadAllText(Path.Combine(FixtureDirectory, "shopify-order-webhook.sig.hex")).Trim();

    [Fact]
    public void Fixture_IsTheExpectedRawBytes()
    {
        Assert.Equal("zH1f2nqCuphQ5q9oYI3naqkiralhcPs10qFbU3dHIPY=", Base64Signature);
        Assert.NotEqual((byte)'\n', Body[^1]);
        Assert.Contains((byte)0xC3, Body);
    }

    [Fact]
    public void Verify_OpenSslBase64Signature_IsValid()
    {
        var verifier = new WebhookSignatureVerifier([Secret]);

        Assert.True(verifier.Verify(Body, Base64Signature));
    }

    [Fact]
    public void Verify_OpenSslHexSignature_IsValidInEitherCaseAndWithPrefix()
    {
        Assert.True(new WebhookSignatureVerifier([Secret], WebhookSignatureEncoding.Hex).Verify(Body, HexSignature));
        Assert.True(new WebhookSignatureVerifier([Secret], WebhookSignatureEncoding.Hex).Verify(Body, HexSignature.ToUpperInvariant()));
        Assert.True(new WebhookSignatureVerifier([Secret], WebhookSignatureEncoding.Hex, "sha256=").Verify(Body, "sha256=" + HexSignature));
    }

    [Fact]
    public void Verify_TamperedBody_IsInvalid()
    {
        var tampered = (byte[])Body.Clone();
        tampered[^3] ^= 0x01;
        var verifier = new WebhookSignatureVerifier([Secret]);

        Assert.False(verifier.Verify(tampered, Base64Signature));
    }

    [Fact]
    public void Verify_BodyReEncodedAsText_IsInvalid()
    {
        var verifier = new WebhookSignatureVerifier([Secret]);
        var reencoded = Encoding.UTF8.GetBytes(Encoding.Latin1.GetString(Body));

        Assert.False(verifier.Verify(reencoded, Base64Signature));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all")]
    [InlineData("zH1f2nqCuphQ5q9oYI3naqkiralhcPs10qFbU3dHIP==")]
    [InlineData("AAAA")]
    public void Verify_MissingOrMalformedSignature_IsInvalid(string? signature)
    {
        var verifier = new WebhookSignatureVerifier([Secret]);

        Assert.False(verifier.Verify(Body, signature));
    }

    [Fact]
    public void Verify_WrongSecret_IsInvalid()
    {
        var verifier = new WebhookSignatureVerifier(["another-secret"]);

        Assert.False(verifier.Verify(Body, Base64Signature));
    }

    [Fact]
    public void Verify_DuringRotation_OldAndNewSecretsBothValid()
    {
        var verifier = new WebhookSignatureVerifier(["the-new-secret-2027", Secret]);

        Assert.True(verifier.Verify(Body, Base64Signature));
        Assert.True(verifier.Verify(Body, new WebhookSignatureVerifier(["the-new-secret-2027"]).Sign(Body)));
    }

    [Fact]
    public void Sign_MatchesOpenSsl()
    {
        Assert.Equal(Base64Signature, new WebhookSignatureVerifier([Secret]).Sign(Body));
        Assert.Equal(HexSignature, new WebhookSignatureVerifier([Secret], WebhookSignatureEncoding.Hex).Sign(Body));
    }

    [Fact]
    public void Constructor_NoSecret_Throws()
    {
        Assert.Throws<ArgumentException>(() => new WebhookSignatureVerifier([]));
        Assert.Throws<ArgumentException>(() => new WebhookSignatureVerifier([""]));
    }

    private static WebhookDelivery Delivery(string deliveryId, string recordKey = "820982911946154508") => new()
    {
        TenantId = "acme",
        Connection = "shopify-eu",
        DeliveryId = deliveryId,
        Kind = EntityKind.Order,
        RecordKey = recordKey,
        Topic = "orders/updated",
        Body = Encoding.UTF8.GetString(Body),
    };

    [Fact]
    public async Task AcceptAsync_ValidThenReplayed_AddedThenDuplicate()
    {
        var inbox = new InMemoryWebhookInbox();
        var clock = new VirtualClock();
        var deduplicator = new WebhookDeduplicator(inbox, clock);
        var verifier = new WebhookSignatureVerifier([Secret]);

        var first = await deduplicator.AcceptAsync(verifier, Body, Base64Signature, Delivery("d-1"), TestContext.Current.CancellationToken);
        var replay = await deduplicator.AcceptAsync(verifier, Body, Base64Signature, Delivery("d-1"), TestContext.Current.CancellationToken);

        Assert.Equal(WebhookAcceptResult.Added, first);
        Assert.Equal(WebhookAcceptResult.Duplicate, replay);
        var pending = await inbox.ClaimAsync("acme", "shopify-eu", "w", clock.GetUtcNow(), clock.GetUtcNow().AddMinutes(1), 10, TestContext.Current.CancellationToken);
        var stored = Assert.Single(pending);
        Assert.Equal(clock.GetUtcNow(), stored.ReceivedAt);
    }

    [Fact]
    public async Task AcceptAsync_InvalidSignature_RejectedAndNothingStored()
    {
        var inbox = new InMemoryWebhookInbox();
        var deduplicator = new WebhookDeduplicator(inbox);
        var verifier = new WebhookSignatureVerifier(["another-secret"]);

        var result = await deduplicator.AcceptAsync(verifier, Body, Base64Signature, Delivery("d-1"), TestContext.Current.CancellationToken);

        Assert.Equal(WebhookAcceptResult.Rejected, result);
        var pending = await inbox.ClaimAsync("acme", "shopify-eu", "w", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(1), 10, TestContext.Current.CancellationToken);
        Assert.Empty(pending);
    }

    [Fact]
    public async Task AcceptAsync_SecondDeliveryForSameRecord_Coalesced()
    {
        var deduplicator = new WebhookDeduplicator(new InMemoryWebhookInbox());
        var verifier = new WebhookSignatureVerifier([Secret]);

        await deduplicator.AcceptAsync(verifier, Body, Base64Signature, Delivery("d-1"), TestContext.Current.CancellationToken);
        var second = await deduplicator.AcceptAsync(verifier, Body, Base64Signature, Delivery("d-2"), TestContext.Current.CancellationToken);

        Assert.Equal(WebhookAcceptResult.Coalesced, second);
    }
}
