using System.Text;
using Connectors.Abstractions;
using Connectors.Core.InMemory;
using static Connectors.Core.Tests.InMemory.InMemoryConnectorTests;

namespace Connectors.Core.Tests.InMemory;

public sealed class DurableInMemoryConnectorTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "connectors-inmemory-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DataFile => Path.Combine(_directory, "vendor.jsonl");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Constructor_ExistingDataFile_ReplaysEverythingCommitted()
    {
        string customerKey;
        using (var first = Connector(SettlementMode.IdempotencyKey))
        {
            customerKey = (await first.WriteAsync(Create(Customer(1), token: "t-1"), Ct)).TargetKey!;
            _clock.Advance(TimeSpan.FromSeconds(5));
            await first.WriteAsync(Create(Customer(2), token: "t-2"), Ct);
            first.Mutate<Customer>(EntityKind.Customer, customerKey, c => c with { Name = "Edited" });
            first.Seed(EntityKind.StockLevel, new StockLevel { Sku = "A", OnHand = 3, Available = 3 });
            await first.WriteAsync(new WriteRequest
            {
                Kind = EntityKind.StockLevel,
                Operation = WriteOperation.Delta,
                Record = new StockLevel { Sku = "A", OnHand = 2, Available = 2 },
            }, Ct);
            first.Delete(EntityKind.Customer, "customer-000002");
        }

        using var second = Connector(SettlementMode.IdempotencyKey);

        var customer = Assert.IsType<Customer>(Assert.Single(second.Snapshot(EntityKind.Customer)));
        Assert.Equal("Edited", customer.Name);
        Assert.Equal(5, ((StockLevel)second.Get(EntityKind.StockLevel, "A")!).OnHand);
        Assert.Equal("t-1", second.GetCorrelation(EntityKind.Customer, customerKey));
        var repeated = await second.WriteAsync(Create(Customer(1), token: "t-1"), Ct);
        Assert.Equal(customerKey, repeated.TargetKey);
        var next = await second.WriteAsync(Create(Customer(3), token: "t-3"), Ct);
        Assert.Equal("customer-000003", next.TargetKey);
        var changes = await ReadAllKeysAsync(second, EntityKind.Customer, since: null, pageSize: 10);
        Assert.Equal([customerKey, "customer-000002", "customer-000003"], changes);
    }

    [Fact]
    public async Task WriteAsync_Durable_LineIsOnDiskBeforeItReturns()
    {
        using var connector = Connector(SettlementMode.CorrelationField);

        var result = await connector.WriteAsync(Create(Customer(1), token: "t-1"), Ct);

        var text = ReadShared(DataFile);
        var line = Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"\"key\":\"{result.TargetKey}\"", line, StringComparison.Ordinal);
        Assert.Contains("\"correlation\":\"t-1\"", line, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"Customer\"", line, StringComparison.Ordinal);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_TruncatedLastLine_IgnoresItAndAppendsCleanly()
    {
        using (var first = Connector(SettlementMode.CorrelationField))
        {
            await first.WriteAsync(Create(Customer(1)), Ct);
            await first.WriteAsync(Create(Customer(2)), Ct);
        }

        // A process killed in the middle of its third write leaves half a line.
        var lines = File.ReadAllText(DataFile).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        File.WriteAllText(DataFile, lines[0] + "\n" + lines[1][..(lines[1].Length / 2)]);

        using (var second = Connector(SettlementMode.CorrelationField))
        {
            Assert.Equal(["customer-000001"], second.Snapshot(EntityKind.Customer).Select(r => r.RecordKey));
            var created = await second.WriteAsync(Create(Customer(3)), Ct);
            Assert.Equal("customer-000002", created.TargetKey);
        }

        using var third = Connector(SettlementMode.CorrelationField);
        Assert.Equal(2, third.Snapshot(EntityKind.Customer).Count);
    }

    [Fact]
    public async Task Constructor_DamagedLineBeforeTheLast_ThrowsInvalidData()
    {
        using (var first = Connector(SettlementMode.CorrelationField))
        {
            await first.WriteAsync(Create(Customer(1)), Ct);
            await first.WriteAsync(Create(Customer(2)), Ct);
        }

        var lines = File.ReadAllText(DataFile).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        File.WriteAllText(DataFile, "{\"op\":\"put\",\n" + lines[1] + "\n");

        var ex = Assert.Throws<InvalidDataException>(() => Connector(SettlementMode.CorrelationField));
        Assert.Contains("line 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetJobStatusAsync_JobSubmittedBeforeRestart_CompletesAfterRestart()
    {
        string jobId;
        using (var first = Connector(SettlementMode.AsyncJob))
        {
            jobId = (await first.WriteAsync(Create(Customer(1), token: "t-1"), Ct)).JobId!;
        }

        using var second = Connector(SettlementMode.AsyncJob);
        var status = await second.GetJobStatusAsync(EntityKind.Customer, jobId, Ct);
        var next = await second.WriteAsync(Create(Customer(2)), Ct);

        Assert.Equal(WriteJobState.Succeeded, status.State);
        Assert.Single(await second.FindByCorrelationAsync(EntityKind.Customer, "t-1", Ct));
        Assert.NotEqual(jobId, next.JobId);
    }

    private InMemoryConnector Connector(SettlementMode settlement)
    {
        var options = new InMemoryConnectorOptions { TimeProvider = _clock, DataFilePath = DataFile };
        options.Entities[EntityKind.Customer] = Capabilities(EntityKind.Customer, settlement);
        options.Entities[EntityKind.StockLevel] = InMemoryConnector.DefaultCapabilities(EntityKind.StockLevel);
        return new InMemoryConnector(options);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
