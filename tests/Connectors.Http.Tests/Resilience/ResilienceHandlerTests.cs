using Connectors.Testing;
using System.Net;
using System.Net.Http.Headers;
using Connectors.Abstractions;

namespace Connectors.Http.Tests.Resilience;

public sealed class ResilienceHandlerTests : IDisposable
{
    private const string Url = "https://acme.myshopify.com/admin/api/2025-01/orders.json";
    private readonly VirtualClock _clock = new();
    private readonly ScriptedHandler _inner;

    public ResilienceHandlerTests()
    {
        _inner = new ScriptedHandler(_clock);
    }

    public void Dispose() => _inner.Dispose();

    private HttpMessageInvoker Create(Action<ConnectorsResilienceOptions>? configure = null)
    {
        var options = new ConnectorsResilienceOptions { ConnectorId = "shopify", UseJitter = false };
        configure?.Invoke(options);
        return new HttpMessageInvoker(new ConnectorsResilienceHandler(options, _clock) { InnerHandler = _inner });
    }

    private static HttpRequestMessage Get(string url = Url) => new(HttpMethod.Get, url);

    private TimeSpan[] Gaps() =>
        _inner.Sent.Zip(_inner.Sent.Skip(1), (a, b) => b.At - a.At).ToArray();

    [Fact]
    public async Task SendAsync_TransientFailures_RetriesWithExponentialBackoff()
    {
        _inner.Respond(HttpStatusCode.ServiceUnavailable).Respond(HttpStatusCode.BadGateway).Throw(new HttpRequestException("reset"))
            .Respond(HttpStatusCode.OK);
        using var client = Create();

        using var response = await _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], Gaps());
    }

    [Fact]
    public async Task SendAsync_BackoffAboveMaxDelay_IsCapped()
    {
        for (var i = 0; i < 4; i++)
        {
            _inner.Respond(HttpStatusCode.InternalServerError);
        }

        using var client = Create(o => o.MaxDelay = TimeSpan.FromSeconds(3));

        using var response = await _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken));

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)], Gaps());
    }

    [Fact]
    public async Task SendAsync_JitterWithSameSeed_IsDeterministicAndWithinBounds()
    {
        async Task<TimeSpan[]> RunOnceAsync()
        {
            var clock = new VirtualClock();
            var inner = new ScriptedHandler(clock);
            inner.Respond(HttpStatusCode.ServiceUnavailable).Respond(HttpStatusCode.ServiceUnavailable).Respond(HttpStatusCode.ServiceUnavailable);
            var options = new ConnectorsResilienceOptions { UseJitter = true, Random = new Random(42) };
            using var client = new HttpMessageInvoker(new ConnectorsResilienceHandler(options, clock) { InnerHandler = inner });
            using var response = await clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken));
            return inner.Sent.Zip(inner.Sent.Skip(1), (a, b) => b.At - a.At).ToArray();
        }

        var first = await RunOnceAsync();
        var second = await RunOnceAsync();

        Assert.Equal(first, second);
        for (var i = 0; i < first.Length; i++)
        {
            var full = TimeSpan.FromSeconds(Math.Pow(2, i));
            Assert.InRange(first[i], full / 2, full);
        }

        Assert.Contains(first, d => d != TimeSpan.FromSeconds(Math.Pow(2, Array.IndexOf(first, d))));
    }

    [Fact]
    public async Task SendAsync_RetryAfterSeconds_WaitsThatLong()
    {
        _inner.Respond(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30)))
            .Respond(HttpStatusCode.OK);
        using var client = Create();

        using var response = await _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([TimeSpan.FromSeconds(30)], Gaps());
    }

    [Fact]
    public async Task SendAsync_RetryAfterHttpDate_WaitsUntilThatDate()
    {
        var until = _clock.GetUtcNow().AddSeconds(45);
        _inner.Respond(HttpStatusCode.ServiceUnavailable, r => r.Headers.TryAddWithoutValidation("Retry-After", until.ToString("R")))
            .Respond(HttpStatusCode.OK);
        using var client = Create();

        using var response = await _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(until, _inner.Sent[1].At);
    }

    [Fact]
    public async Task SendAsync_VendorResetHeader_UsedWhenNoRetryAfter()
    {
        _inner.Respond(HttpStatusCode.TooManyRequests, r => r.Headers.Add("X-RateLimit-Minutely-Reset", "17"))
            .Respond(HttpStatusCode.OK);
        using var client = Create(o => o.VendorRetryDelay = r =>
            r.Headers.TryGetValues("X-RateLimit-Minutely-Reset", out var v) ? TimeSpan.FromSeconds(int.Parse(v.First(), System.Globalization.CultureInfo.InvariantCulture)) : null);

        using var response = await _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken));

        Assert.Equal([TimeSpan.FromSeconds(17)], Gaps());
    }

    [Fact]
    public async Task SendAsync_TooManyRequestsEveryTime_ThrowsRateLimitExceptionWithRetryAfter()
    {
        _inner.Fallback = (_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
            response.Headers.Add("X-Shopify-Request-Id", "req-7");
            return Task.FromResult(response);
        };
        using var client = Create(o => o.MaxRetryAttempts = 2);
        using var request = Get().WithOperation("orders.read");

        var error = await Assert.ThrowsAsync<RateLimitException>(() => _clock.RunAsync(client.SendAsync(request, TestContext.Current.CancellationToken)));

        Assert.Equal(3, _inner.Sent.Count);
        Assert.Equal(TimeSpan.FromSeconds(2), error.RetryAfter);
        Assert.Equal(429, error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.Equal("shopify", error.Connector);
        Assert.Equal("orders.read", error.Operation);
        Assert.Equal("req-7", error.RequestId);
    }

    [Fact]
    public async Task SendAsync_RetryAfterLongerThanMax_NotRetriedAndCarriesTheWait()
    {
        _inner.Respond(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromHours(6)));
        using var client = Create();

        var error = await Assert.ThrowsAsync<RateLimitException>(() => _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken)));

        Assert.Single(_inner.Sent);
        Assert.Equal(TimeSpan.FromHours(6), error.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_PostNotMarkedSafe_IsNotRetried()
    {
        _inner.Respond(HttpStatusCode.ServiceUnavailable).Respond(HttpStatusCode.Created);
        using var client = Create();
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent("{}") };

        var error = await Assert.ThrowsAsync<ConnectorException>(() => _clock.RunAsync(client.SendAsync(request, TestContext.Current.CancellationToken)));

        Assert.Single(_inner.Sent);
        Assert.Equal(503, error.StatusCode);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task SendAsync_PostMarkedSafe_IsRetried()
    {
        _inner.Respond(HttpStatusCode.ServiceUnavailable).Respond(HttpStatusCode.Created);
        using var client = Create();
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent("{}") }.MarkRetrySafe();

        using var response = await _clock.RunAsync(client.SendAsync(request, TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, _inner.Sent.Count);
    }

    [Fact]
    public async Task SendAsync_PostTimesOut_IsNotRetried()
    {
        _inner.Hang(TimeSpan.FromMinutes(5)).Respond(HttpStatusCode.Created);
        using var client = Create(o => o.AttemptTimeout = TimeSpan.FromSeconds(10));
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent("{}") };

        var error = await Assert.ThrowsAsync<ConnectorException>(() => _clock.RunAsync(client.SendAsync(request, TestContext.Current.CancellationToken)));

        Assert.Single(_inner.Sent);
        Assert.True(error.IsTransient);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_AttemptTimeout_RetriesAfterTimeout()
    {
        _inner.Hang(TimeSpan.FromMinutes(5)).Respond(HttpStatusCode.OK);
        using var client = Create(o => o.AttemptTimeout = TimeSpan.FromSeconds(10));
        var start = _clock.GetUtcNow();

        using var response = await _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(start + TimeSpan.FromSeconds(11), _inner.Sent[1].At);
    }

    [Fact]
    public async Task SendAsync_TotalTimeout_StopsRetryingAndThrowsTransient()
    {
        _inner.Fallback = async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromMinutes(5), _clock, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        };
        using var client = Create(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(10);
            o.TotalTimeout = TimeSpan.FromSeconds(25);
            o.MaxRetryAttempts = 10;
        });
        var start = _clock.GetUtcNow();

        var error = await Assert.ThrowsAsync<ConnectorException>(() => _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken)));

        Assert.True(error.IsTransient);
        Assert.Contains("timed out after 00:00:25", error.Message, StringComparison.Ordinal);
        Assert.Equal(start + TimeSpan.FromSeconds(25), _clock.GetUtcNow());
        Assert.Equal(3, _inner.Sent.Count); // at 0 s, 11 s and 23 s
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, typeof(ConnectorAuthenticationException), false)]
    [InlineData(HttpStatusCode.Forbidden, typeof(ConnectorAuthenticationException), false)]
    [InlineData(HttpStatusCode.NotFound, typeof(RecordNotFoundException), false)]
    [InlineData(HttpStatusCode.BadRequest, typeof(ConnectorException), false)]
    [InlineData(HttpStatusCode.RequestTimeout, typeof(ConnectorException), true)]
    [InlineData(HttpStatusCode.NotImplemented, typeof(ConnectorException), true)]
    public async Task SendAsync_FailureStatus_MapsToConnectorExceptionFamily(HttpStatusCode status, Type expected, bool transient)
    {
        _inner.Fallback = (_, _) => Task.FromResult(new HttpResponseMessage(status));
        using var client = Create(o => o.MaxRetryAttempts = 1);

        var error = await Assert.ThrowsAnyAsync<ConnectorException>(() => _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken)));

        Assert.IsType(expected, error);
        Assert.Equal((int)status, error.StatusCode);
        Assert.Equal(transient, error.IsTransient);
        Assert.Equal(status == HttpStatusCode.RequestTimeout ? 2 : 1, _inner.Sent.Count);
    }

    [Fact]
    public async Task SendAsync_IOExceptionEveryTime_ThrowsTransientWithInnerException()
    {
        _inner.Fallback = (_, _) => Task.FromException<HttpResponseMessage>(new IOException("connection reset"));
        using var client = Create(o => o.MaxRetryAttempts = 2);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken)));

        Assert.True(error.IsTransient);
        Assert.IsType<IOException>(error.InnerException);
        Assert.Equal(3, _inner.Sent.Count);
    }

    [Fact]
    public async Task SendAsync_NotModified_ReturnedNotThrown()
    {
        _inner.Respond(HttpStatusCode.NotModified);
        using var client = Create();

        using var response = await _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task SendAsync_ThrowOnFailureOff_ReturnsTheResponse()
    {
        _inner.Respond(HttpStatusCode.NotFound);
        using var client = Create(o => o.ThrowOnFailure = false);

        using var response = await _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task SendAsync_SecretsInHeaderAndQuery_NeverInTheException()
    {
        const string accessToken = "shpat_0123456789abcdefSECRETTOKEN";
        const string consumerSecret = "cs_SECRETCONSUMER98765";
        _inner.Fallback = (_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized) { ReasonPhrase = "Unauthorized" };
            response.Headers.Add("X-Request-Id", "abc-1");
            return Task.FromResult(response);
        };
        _inner.Respond(HttpStatusCode.ServiceUnavailable);
        var logger = new CollectingLogger();
        var options = new ConnectorsResilienceOptions { ConnectorId = "woocommerce", MaxRetryAttempts = 1 };
        using var client = new HttpMessageInvoker(new ConnectorsResilienceHandler(options, _clock, logger) { InnerHandler = _inner });
        using var request = new HttpRequestMessage(
            HttpMethod.Get, $"https://user:pw@shop.example/wp-json/wc/v3/orders?consumer_key=ck_1&consumer_secret={consumerSecret}#frag");
        request.Headers.Add("X-Shopify-Access-Token", accessToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

        var error = await Assert.ThrowsAsync<ConnectorAuthenticationException>(
            () => _clock.RunAsync(client.SendAsync(request, TestContext.Current.CancellationToken)));

        var everything = string.Join("|", error.ToString(), error.Message, error.RequestId, error.Operation, error.VendorAnswer, string.Join("\n", logger.Lines));
        Assert.Contains(logger.Lines, l => l.StartsWith("2000 ", StringComparison.Ordinal)); // retry scheduled
        Assert.Contains(logger.Lines, l => l.StartsWith("2004 ", StringComparison.Ordinal)); // request failed
        Assert.DoesNotContain(accessToken, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(consumerSecret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("consumer_key", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("pw@", everything, StringComparison.Ordinal);
        Assert.Contains("https://shop.example/wp-json/wc/v3/orders answered 401", error.Message, StringComparison.Ordinal);
        Assert.Equal("abc-1", error.RequestId);
    }

    [Fact]
    public async Task SendAsync_Retried_DisposesTheFailedAnswers()
    {
        var contents = new List<TrackedContent>();
        _inner.Fallback = (_, _) =>
        {
            var content = new TrackedContent();
            contents.Add(content);
            return Task.FromResult(new HttpResponseMessage(contents.Count < 3 ? HttpStatusCode.BadGateway : HttpStatusCode.OK) { Content = content });
        };
        using var client = Create();

        using var response = await _clock.RunAsync(client.SendAsync(Get(), TestContext.Current.CancellationToken));

        Assert.Equal([true, true, false], contents.Select(c => c.Disposed));
    }

    private sealed class TrackedContent : StringContent
    {
        public TrackedContent()
            : base("{}")
        {
        }

        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    [Fact]
    public async Task SendAsync_CallerCancels_ThrowsOperationCanceled()
    {
        _inner.Hang(TimeSpan.FromSeconds(5));
        using var client = Create();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var sending = client.SendAsync(Get(), cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
    }
}
