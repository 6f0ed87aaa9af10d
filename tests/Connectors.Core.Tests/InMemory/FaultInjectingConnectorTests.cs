using Connectors.Abstractions;
using Connectors.Core.InMemory;
using Connectors.Testing;
using static Connectors.Core.Tests.InMemory.InMemoryConnectorTests;

namespace Connectors.Core.Tests.InMemory;

public sealed class FaultInjectingConnectorTests : IDisposable
{
    private readonly InMemoryConnector _inner = new(new InMemoryConnectorOptions { TimeProvider = new ManualClock() });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _inner.Dispose();

    [Fact]
    public async Task WriteAsync_LostAnswer_WriteIsAppliedAndTransientFailureThrown()
    {
        var faulty = new FaultInjectingConnector(_inner, new FaultInjectionOptions { LostWriteAnswerRate = 1 });

        var ex = await Assert.ThrowsAsync<ConnectorException>(() => faulty.WriteAsync(Create(Customer(1), token: "t-1"), Ct));

        Assert.True(ex.IsTransient);
        Assert.Single(_inner.Snapshot(EntityKind.Customer));
        Assert.Single(await _inner.FindByCorrelationAsync(EntityKind.Customer, "t-1", Ct));
        Assert.Equal(1, faulty.FaultCounts[FaultKind.LostWriteAnswer]);
    }

    [Fact]
    public async Task WriteAsync_TransientFailureBeforeWrite_NothingIsWritten()
    {
        var faulty = new FaultInjectingConnector(_inner, new FaultInjectionOptions { TransientWriteFailureRate = 1 });

        var ex = await Assert.ThrowsAsync<ConnectorException>(() => faulty.WriteAsync(Create(Customer(1)), Ct));

        Assert.True(ex.IsTransient);
        Assert.Equal(503, ex.StatusCode);
        Assert.Equal(0, _inner.WriteCount);
        Assert.Equal(1, faulty.FaultCounts[FaultKind.TransientWriteFailure]);
    }

    [Fact]
    public async Task ReadChangesAsync_RateLimited_ThrowsRateLimitWithRetryAfter()
    {
        var faulty = new FaultInjectingConnector(_inner, new FaultInjectionOptions { RateLimitRate = 1, RetryAfter = TimeSpan.FromSeconds(7) });

        var ex = await Assert.ThrowsAsync<RateLimitException>(
            () => faulty.ReadChangesAsync(new ChangeQuery { Kind = EntityKind.Customer }, Ct));

        Assert.True(ex.IsTransient);
        Assert.Equal(429, ex.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.Equal(1, faulty.FaultCounts[FaultKind.RateLimited]);
    }

    [Fact]
    public async Task GetManyAsync_TransientReadFailure_Throws503()
    {
        var faulty = new FaultInjectingConnector(_inner, new FaultInjectionOptions { TransientReadFailureRate = 1 });

        var ex = await Assert.ThrowsAsync<ConnectorException>(() => faulty.GetManyAsync(EntityKind.Customer, ["x"], Ct));

        Assert.True(ex.IsTransient);
        Assert.Equal(503, ex.StatusCode);
        Assert.Equal(1, faulty.TotalFaults);
    }

    [Fact]
    public async Task ReadChangesAsync_MalformedRate_SameRecordsMalformedOnEveryReadUntilFixed()
    {
        _inner.Seed(EntityKind.Order, Enumerable.Range(0, 60).Select(i => (ICanonicalRecord)(Order("SO-" + i) with
        {
            Lines = [new OrderLine { Sku = "A", Quantity = 1, UnitPrice = 9.5m, Total = 9.5m }],
        })));
        var faulty = new FaultInjectingConnector(_inner, new FaultInjectionOptions { MalformedRecordRate = 0.3, Seed = 11 });

        var first = await ReadAllAsync(faulty);
        var second = await ReadAllAsync(faulty);

        var malformed = first.Where(r => r.Problem is not null).Select(r => r.Key).ToList();
        Assert.InRange(malformed.Count, 8, 30);
        Assert.Equal(malformed, second.Where(r => r.Problem is not null).Select(r => r.Key));
        var problem = first.First(r => r.Problem is not null);
        Assert.Null(problem.Record);
        Assert.Equal("lines[0].unitPrice", problem.Problem!.Field);
        Assert.Contains("\"unitPrice\":\"abc\"", problem.Problem.RawPayload, StringComparison.Ordinal);
        Assert.Equal(malformed.Count * 2, faulty.FaultCounts[FaultKind.MalformedRecord]);

        faulty.FixMalformed(EntityKind.Order, problem.Key);
        var third = await ReadAllAsync(faulty);

        Assert.NotNull(third.Single(r => r.Key == problem.Key).Record);
        Assert.Equal(malformed.Count - 1, third.Count(r => r.Problem is not null));
    }

    [Fact]
    public async Task WriteAsync_SameSeed_SameFaultSequence()
    {
        var a = await FaultPatternAsync(seed: 42);
        var b = await FaultPatternAsync(seed: 42);
        var c = await FaultPatternAsync(seed: 43);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Contains('L', a);
        Assert.Contains('T', a);
        Assert.Contains('R', a);
        Assert.Contains('.', a);
    }

    [Fact]
    public async Task WriteAsync_FaultsDisabled_PassesThroughAndCountsNothing()
    {
        var faulty = new FaultInjectingConnector(
            _inner,
            new FaultInjectionOptions { LostWriteAnswerRate = 1, TransientReadFailureRate = 1, MalformedRecordRate = 1 })
        { Enabled = false };

        await faulty.WriteAsync(Create(Customer(1)), Ct);
        var page = await faulty.ReadChangesAsync(new ChangeQuery { Kind = EntityKind.Customer }, Ct);

        Assert.NotNull(Assert.Single(page.Records).Record);
        Assert.Equal(0, faulty.TotalFaults);
    }

    [Fact]
    public async Task GetService_CapabilityThroughDecorator_FaultsApply()
    {
        IConnector faulty = new FaultInjectingConnector(_inner, new FaultInjectionOptions { TransientWriteFailureRate = 1 });

        var writer = faulty.GetRequiredService<IRecordWriter>();

        Assert.Same(faulty, writer);
        await Assert.ThrowsAsync<ConnectorException>(() => writer.WriteAsync(Create(Customer(1)), Ct));
        Assert.Equal(0, _inner.WriteCount);
    }

    [Fact]
    public void Constructor_RateAboveOne_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(
            () => new FaultInjectingConnector(_inner, new FaultInjectionOptions { LostWriteAnswerRate = 1.5 }));

    private static async Task<List<ChangedRecord>> ReadAllAsync(FaultInjectingConnector reader)
    {
        var records = new List<ChangedRecord>();
        string? token = null;
        do
        {
            var page = await reader.ReadChangesAsync(new ChangeQuery { Kind = EntityKind.Order, ContinuationToken = token, PageSizeHint = 25 }, Ct);
            records.AddRange(page.Records);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return records;
    }

    private static async Task<string> FaultPatternAsync(int seed)
    {
        var inner = new InMemoryConnector(new InMemoryConnectorOptions { TimeProvider = new ManualClock() });
        var faulty = new FaultInjectingConnector(inner, new FaultInjectionOptions
        {
            Seed = seed,
            TransientWriteFailureRate = 0.15,
            LostWriteAnswerRate = 0.15,
            RateLimitRate = 0.1,
        });
        var pattern = new System.Text.StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                await faulty.WriteAsync(Create(Customer(i)), Ct);
                pattern.Append('.');
            }
            catch (RateLimitException)
            {
                pattern.Append('R');
            }
            catch (ConnectorException ex) when (ex.StatusCode == 503)
            {
                pattern.Append('T');
            }
            catch (ConnectorException)
            {
                pattern.Append('L');
            }
        }

        Assert.Equal(pattern.ToString().Count(c => c is '.' or 'L'), inner.CreateCount);
        Assert.Equal(pattern.ToString().Count(c => c == 'L'), faulty.FaultCounts[FaultKind.LostWriteAnswer]);
        return pattern.ToString();
    }
}
