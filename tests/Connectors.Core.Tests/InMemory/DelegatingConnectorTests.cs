using Connectors.Abstractions;
using Connectors.Core.InMemory;
using static Connectors.Core.Tests.InMemory.InMemoryConnectorTests;

namespace Connectors.Core.Tests.InMemory;

public sealed class DelegatingConnectorTests : IDisposable
{
    private readonly InMemoryConnector _inner = new(new InMemoryConnectorOptions { VendorId = "inner", TimeProvider = new ManualClock() });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _inner.Dispose();

    [Fact]
    public void GetService_CapabilityInnerOffers_ReturnsDecorator()
    {
        var decorator = new CountingConnector(_inner);

        Assert.Same(decorator, decorator.GetService<IRecordWriter>());
        Assert.Same(decorator, decorator.GetService<IChangeReader>());
        Assert.Same(decorator, decorator.GetService<IConnector>());
        Assert.Same(decorator, decorator.GetService<CountingConnector>());
    }

    [Fact]
    public void GetService_CapabilityInnerLacks_ReturnsNull()
    {
        var decorator = new CountingConnector(_inner);

        Assert.Null(decorator.GetService<IWriteJobTracker>());
    }

    [Fact]
    public void GetService_OtherService_ForwardsToInner()
    {
        var decorator = new CountingConnector(_inner);

        Assert.Same(_inner, decorator.GetService<InMemoryConnector>());
        Assert.Equal("inner", decorator.VendorId);
        Assert.Same(_inner.Capabilities, decorator.Capabilities);
    }

    [Fact]
    public async Task WriteAsync_ThroughCapability_GoesThroughDecoratorToInner()
    {
        var decorator = new CountingConnector(_inner);

        var result = await decorator.GetRequiredService<IRecordWriter>().WriteAsync(Create(Customer(1)), Ct);
        var found = await decorator.GetRequiredService<IRecordReader>().GetManyAsync(EntityKind.Customer, [result.TargetKey!], Ct);

        Assert.Equal(1, decorator.Writes);
        Assert.Single(found);
        Assert.Equal(1, _inner.WriteCount);
    }

    [Fact]
    public async Task GetJobStatusAsync_InnerLacksTracker_ThrowsNotSupported()
    {
        var decorator = new CountingConnector(_inner);

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => decorator.GetJobStatusAsync(EntityKind.Customer, "job-1", Ct));

        Assert.Contains("IWriteJobTracker", ex.Message, StringComparison.Ordinal);
    }

    private sealed class CountingConnector(IConnector inner) : DelegatingConnector(inner)
    {
        public int Writes { get; private set; }

        public override Task<WriteResult> WriteAsync(WriteRequest request, CancellationToken cancellationToken = default)
        {
            Writes++;
            return base.WriteAsync(request, cancellationToken);
        }
    }
}
