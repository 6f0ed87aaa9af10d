using System.Net;

namespace Connectors.Http.Tests;

/// <summary>A fake inner handler that answers from a script, in order, and records what it was sent and when.</summary>
internal sealed class ScriptedHandler(TimeProvider clock) : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script = new();
    private readonly Lock _gate = new();

    public List<(HttpMethod Method, string Url, DateTimeOffset At)> Sent { get; } = [];

    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? Fallback { get; set; }

    public ScriptedHandler Respond(HttpStatusCode status, Action<HttpResponseMessage>? configure = null)
    {
        _script.Enqueue((_, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent("{}") };
            configure?.Invoke(response);
            return Task.FromResult(response);
        });
        return this;
    }

    public ScriptedHandler Throw(Exception exception)
    {
        _script.Enqueue((_, _) => Task.FromException<HttpResponseMessage>(exception));
        return this;
    }

    public ScriptedHandler Hang(TimeSpan delay, HttpStatusCode then = HttpStatusCode.OK)
    {
        _script.Enqueue(async (_, ct) =>
        {
            await Task.Delay(delay, clock, ct);
            return new HttpResponseMessage(then);
        });
        return this;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? step;
        lock (_gate)
        {
            Sent.Add((request.Method, request.RequestUri!.ToString(), clock.GetUtcNow()));
            _script.TryDequeue(out step);
        }

        step ??= Fallback ?? ((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)));
        return step(request, cancellationToken);
    }
}
