using Connectors.Abstractions;
using Connectors.Core.InMemory;

namespace Connectors.Core.Tests.InMemory;

public sealed class InMemoryConnectorTests
{
    private readonly ManualClock _clock = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadChangesAsync_ManyRecordsShareOneTimestamp_PagingLosesNothing()
    {
        var connector = Connector();
        for (var i = 0; i < 23; i++)
        {
            await connector.WriteAsync(Create(Customer(i)), Ct);
        }

        var keys = await ReadAllKeysAsync(connector, EntityKind.Customer, since: null, pageSize: 4);

        Assert.Equal(23, keys.Count);
        Assert.Equal(connector.Snapshot(EntityKind.Customer).Select(r => r.RecordKey), keys);
    }

    [Fact]
    public async Task ReadChangesAsync_RecordChangedBetweenPages_TokenStaysValidAndChangeIsServed()
    {
        var connector = Connector();
        for (var i = 0; i < 6; i++)
        {
            await connector.WriteAsync(Create(Customer(i)), Ct);
        }

        var first = await connector.ReadChangesAsync(new ChangeQuery { Kind = EntityKind.Customer, PageSizeHint = 3 }, Ct);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var edited = first.Records[0].Key;
        connector.Mutate<Customer>(EntityKind.Customer, edited, c => c with { Name = "Edited" });

        var keys = first.Records.Select(r => r.Key).ToList();
        string? token = first.ContinuationToken;
        while (token is not null)
        {
            var page = await connector.ReadChangesAsync(
                new ChangeQuery { Kind = EntityKind.Customer, PageSizeHint = 3, ContinuationToken = token }, Ct);
            keys.AddRange(page.Records.Select(r => r.Key));
            token = page.ContinuationToken;
        }

        Assert.Equal(7, keys.Count);
        Assert.Equal(6, keys.Distinct().Count());
        Assert.Equal(edited, keys[^1]);
    }

    [Fact]
    public async Task ReadChangesAsync_SinceEqualsStamp_IsInclusive()
    {
        var connector = Connector();
        var written = await connector.WriteAsync(Create(Customer(1)), Ct);
        var stamp = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));

        var page = await connector.ReadChangesAsync(new ChangeQuery { Kind = EntityKind.Customer, Since = stamp }, Ct);

        var changed = Assert.Single(page.Records);
        Assert.Equal(written.TargetKey, changed.Key);
        Assert.Equal(stamp, changed.ModifiedAt);
        Assert.Null(page.ContinuationToken);
    }

    [Fact]
    public async Task ReadChangesAsync_UntilEqualsStamp_IsExclusive()
    {
        var connector = Connector();
        await connector.WriteAsync(Create(Customer(1)), Ct);
        var firstStamp = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));
        await connector.WriteAsync(Create(Customer(2)), Ct);

        var page = await connector.ReadChangesAsync(
            new ChangeQuery { Kind = EntityKind.Customer, Since = firstStamp, Until = _clock.GetUtcNow() }, Ct);

        Assert.Equal(["customer-000001"], page.Records.Select(r => r.Key));
    }

    [Fact]
    public async Task ReadChangesAsync_SinceInFuture_ReturnsEmptyPage()
    {
        var connector = Connector();
        await connector.WriteAsync(Create(Customer(1)), Ct);

        var page = await connector.ReadChangesAsync(
            new ChangeQuery { Kind = EntityKind.Customer, Since = _clock.GetUtcNow().AddDays(1) }, Ct);

        Assert.Empty(page.Records);
        Assert.Null(page.ContinuationToken);
    }

    [Fact]
    public async Task ReadChangesAsync_HintAboveMaxPageSize_ServesMaxPageSize()
    {
        var connector = Connector(entities: (EntityKind.Customer, InMemoryConnector.DefaultCapabilities(EntityKind.Customer) with { MaxPageSize = 5 }));
        connector.Seed(EntityKind.Customer, Enumerable.Range(0, 12).Select(i => (ICanonicalRecord)Customer(i)));

        var page = await connector.ReadChangesAsync(new ChangeQuery { Kind = EntityKind.Customer, PageSizeHint = 50 }, Ct);

        Assert.Equal(5, page.Records.Count);
        Assert.NotNull(page.ContinuationToken);
    }

    [Fact]
    public async Task ReadChangesAsync_DeletedRecordWithReportsDeletes_IsReportedAsDeleted()
    {
        var connector = Connector();
        var key = connector.Seed(EntityKind.Customer, Customer(1))[0];
        _clock.Advance(TimeSpan.FromMinutes(1));
        await connector.WriteAsync(new WriteRequest { Kind = EntityKind.Customer, Operation = WriteOperation.Delete, TargetKey = key }, Ct);

        var page = await connector.ReadChangesAsync(new ChangeQuery { Kind = EntityKind.Customer, Since = _clock.GetUtcNow() }, Ct);

        var changed = Assert.Single(page.Records);
        Assert.True(changed.Deleted);
        Assert.Null(changed.Record);
        Assert.Empty(connector.Snapshot(EntityKind.Customer));
    }

    [Fact]
    public async Task ReadChangesAsync_DeletedRecordWithoutReportsDeletes_IsNotReported()
    {
        var capabilities = InMemoryConnector.DefaultCapabilities(EntityKind.Customer);
        var connector = Connector(entities: (EntityKind.Customer, capabilities with { Operations = capabilities.Operations & ~EntityOperations.ReportsDeletes }));
        var keys = connector.Seed(EntityKind.Customer, Customer(1), Customer(2));
        connector.Delete(EntityKind.Customer, keys[0]);

        var page = await connector.ReadChangesAsync(new ChangeQuery { Kind = EntityKind.Customer }, Ct);

        Assert.Equal([keys[1]], page.Records.Select(r => r.Key));
    }

    [Fact]
    public async Task WriteAsync_Create_SetsKeyUpdatedAtAndCorrelation()
    {
        var connector = Connector();
        _clock.Advance(TimeSpan.FromHours(1));

        var result = await connector.WriteAsync(Create(Customer(1), token: "intent-1"), Ct);

        Assert.Equal(WriteStatus.Applied, result.Status);
        Assert.Equal("customer-000001", result.TargetKey);
        var stored = Assert.IsType<Customer>(result.ReadBack);
        Assert.Equal("customer-000001", stored.ExternalId);
        Assert.Equal(_clock.GetUtcNow(), stored.UpdatedAt);
        var found = await connector.FindByCorrelationAsync(EntityKind.Customer, "intent-1", Ct);
        Assert.Equal(stored, Assert.Single(found));
        Assert.Empty(await connector.FindByCorrelationAsync(EntityKind.Customer, "intent-2", Ct));
        Assert.Equal(1, connector.CreateCount);
        Assert.Equal(1, connector.GetWriteCount(EntityKind.Customer));
    }

    [Fact]
    public async Task WriteAsync_CreateWithSeenIdempotencyKey_ReturnsFirstResultWithoutCreating()
    {
        var connector = Connector(entities: (EntityKind.Order, Capabilities(EntityKind.Order, SettlementMode.IdempotencyKey)));
        var first = await connector.WriteAsync(Create(Order("SO-1"), token: "t-1", kind: EntityKind.Order), Ct);

        var again = await connector.WriteAsync(Create(Order("SO-1"), token: "t-1", kind: EntityKind.Order), Ct);
        var other = await connector.WriteAsync(Create(Order("SO-2"), token: "t-2", kind: EntityKind.Order), Ct);

        Assert.Equal(first, again);
        Assert.NotEqual(first.TargetKey, other.TargetKey);
        Assert.Equal(2, connector.Snapshot(EntityKind.Order).Count);
        Assert.Equal(2, connector.CreateCount);
    }

    [Fact]
    public async Task WriteAsync_CreateWithExistingNaturalKey_ThrowsDuplicateWithExistingKey()
    {
        var connector = Connector(entities: (EntityKind.Invoice, Capabilities(EntityKind.Invoice, SettlementMode.RejectsDuplicates)));
        var first = await connector.WriteAsync(Create(new Invoice { Number = "INV-7" }, kind: EntityKind.Invoice), Ct);

        var duplicate = await Assert.ThrowsAsync<DuplicateRecordException>(
            () => connector.WriteAsync(Create(new Invoice { Number = "INV-7" }, kind: EntityKind.Invoice), Ct));

        Assert.Equal(first.TargetKey, duplicate.ExistingKey);
        Assert.False(duplicate.IsTransient);
        Assert.Single(connector.Snapshot(EntityKind.Invoice));
    }

    [Fact]
    public async Task WriteAsync_CreateWithNewNaturalKeyAndRejectsDuplicates_Creates()
    {
        var connector = Connector(entities: (EntityKind.Invoice, Capabilities(EntityKind.Invoice, SettlementMode.RejectsDuplicates)));
        await connector.WriteAsync(Create(new Invoice { Number = "INV-7" }, kind: EntityKind.Invoice), Ct);

        await connector.WriteAsync(Create(new Invoice { Number = "INV-8" }, kind: EntityKind.Invoice), Ct);

        Assert.Equal(2, connector.Snapshot(EntityKind.Invoice).Count);
    }

    [Fact]
    public async Task WriteAsync_AsyncJob_RecordAppearsWhenPolledAfterDelay()
    {
        var connector = Connector(
            jobDelay: TimeSpan.FromMinutes(5),
            entities: (EntityKind.Invoice, Capabilities(EntityKind.Invoice, SettlementMode.AsyncJob)));
        var tracker = connector.GetRequiredService<IWriteJobTracker>();

        var submitted = await connector.WriteAsync(Create(new Invoice { Number = "INV-1" }, token: "t-1", kind: EntityKind.Invoice), Ct);
        var early = await tracker.GetJobStatusAsync(EntityKind.Invoice, submitted.JobId!, Ct);
        var emptyBefore = connector.Snapshot(EntityKind.Invoice).Count;
        _clock.Advance(TimeSpan.FromMinutes(5));
        var done = await tracker.GetJobStatusAsync(EntityKind.Invoice, submitted.JobId!, Ct);
        var again = await tracker.GetJobStatusAsync(EntityKind.Invoice, submitted.JobId!, Ct);

        Assert.Equal(WriteStatus.Submitted, submitted.Status);
        Assert.Equal(WriteJobState.Pending, early.State);
        Assert.Equal(0, emptyBefore);
        Assert.Equal(WriteJobState.Succeeded, done.State);
        Assert.Equal(done, again);
        var stored = Assert.Single(connector.Snapshot(EntityKind.Invoice));
        Assert.Equal(done.TargetKey, stored.RecordKey);
        Assert.Equal(stored, done.ReadBack);
        Assert.Single(await connector.FindByCorrelationAsync(EntityKind.Invoice, "t-1", Ct));
    }

    [Fact]
    public async Task GetJobStatusAsync_DefaultDelay_FirstPollSucceeds()
    {
        var connector = Connector(entities: (EntityKind.Invoice, Capabilities(EntityKind.Invoice, SettlementMode.AsyncJob)));
        var submitted = await connector.WriteAsync(Create(new Invoice { Number = "INV-1" }, kind: EntityKind.Invoice), Ct);

        var status = await connector.GetJobStatusAsync(EntityKind.Invoice, submitted.JobId!, Ct);

        Assert.Equal(WriteJobState.Succeeded, status.State);
        Assert.Equal(1, connector.CreateCount);
    }

    [Fact]
    public async Task GetJobStatusAsync_NormalizerRefusesRecord_JobFailsWithMessage()
    {
        var connector = Connector(
            normalizer: (kind, record) => throw new RecordValidationException(kind, record.RecordKey, "number", "is too long"),
            entities: (EntityKind.Invoice, Capabilities(EntityKind.Invoice, SettlementMode.AsyncJob)));
        var submitted = await connector.WriteAsync(Create(new Invoice { Number = "INV-1" }, kind: EntityKind.Invoice), Ct);

        var status = await connector.GetJobStatusAsync(EntityKind.Invoice, submitted.JobId!, Ct);

        Assert.Equal(WriteJobState.Failed, status.State);
        Assert.Equal("Invoice 'invoice-000001' field 'number': is too long", status.Error);
        Assert.Empty(connector.Snapshot(EntityKind.Invoice));
    }

    [Fact]
    public async Task GetService_NoKindSettlesByJob_OffersNoJobTracker()
    {
        var connector = Connector();

        Assert.Null(connector.GetService<IWriteJobTracker>());
        Assert.Same(connector, connector.GetService<IRecordWriter>());
        Assert.Null(connector.GetService<IRecordWriter>("keyed"));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task WriteAsync_UpdateOfMissingKey_ThrowsRecordNotFound()
    {
        var connector = Connector();

        var ex = await Assert.ThrowsAsync<RecordNotFoundException>(() => connector.WriteAsync(
            new WriteRequest { Kind = EntityKind.Customer, Operation = WriteOperation.Update, TargetKey = "customer-000042", Record = Customer(1) }, Ct));

        Assert.Equal("Customer 'customer-000042': 'memory' holds no such record", ex.Message);
        Assert.Equal(0, connector.WriteCount);
    }

    [Fact]
    public async Task WriteAsync_Update_ReplacesRecordAndKeepsCorrelation()
    {
        var connector = Connector();
        var created = await connector.WriteAsync(Create(Customer(1), token: "t-1"), Ct);
        _clock.Advance(TimeSpan.FromSeconds(30));

        var updated = await connector.WriteAsync(new WriteRequest
        {
            Kind = EntityKind.Customer,
            Operation = WriteOperation.Update,
            TargetKey = created.TargetKey,
            Record = Customer(1) with { Name = "Renamed" },
        }, Ct);

        var stored = Assert.IsType<Customer>(Assert.Single(connector.Snapshot(EntityKind.Customer)));
        Assert.Equal("Renamed", stored.Name);
        Assert.Equal(_clock.GetUtcNow(), stored.UpdatedAt);
        Assert.Equal(stored, updated.ReadBack);
        Assert.Equal("t-1", connector.GetCorrelation(EntityKind.Customer, created.TargetKey!));
        Assert.Equal(2, connector.WriteCount);
        Assert.Equal(1, connector.CreateCount);
    }

    [Fact]
    public async Task WriteAsync_RecordOfWrongType_ThrowsValidationInFixedFormat()
    {
        var connector = Connector();

        var ex = await Assert.ThrowsAsync<RecordValidationException>(
            () => connector.WriteAsync(Create(Customer(1), kind: EntityKind.Order), Ct));

        Assert.Equal("Order '(new)': expected a record of type 'Order', got 'Customer'", ex.Message);
        Assert.Empty(connector.Snapshot(EntityKind.Order));
    }

    [Fact]
    public async Task WriteAsync_OperationNotDeclared_ThrowsNotSupported()
    {
        var connector = Connector();

        await Assert.ThrowsAsync<NotSupportedException>(() => connector.WriteAsync(
            new WriteRequest { Kind = EntityKind.Customer, Operation = WriteOperation.Delta, TargetKey = "x", Record = Customer(1) }, Ct));
    }

    [Fact]
    public async Task WriteAsync_SetWithMatchingExpected_Applies()
    {
        var connector = Connector();
        connector.Seed(EntityKind.StockLevel, new StockLevel { Sku = "A", LocationId = "WH1", OnHand = 5, Available = 5 });

        var result = await connector.WriteAsync(new WriteRequest
        {
            Kind = EntityKind.StockLevel,
            Operation = WriteOperation.Set,
            TargetKey = "A@WH1",
            Record = new StockLevel { Sku = "A", LocationId = "WH1", OnHand = 8, Available = 8 },
            Expected = new StockLevel { Sku = "A", LocationId = "WH1", OnHand = 5.0m, Available = 5 },
        }, Ct);

        Assert.Equal(8, Assert.IsType<StockLevel>(result.ReadBack).OnHand);
        Assert.Equal(8, ((StockLevel)connector.Get(EntityKind.StockLevel, "A@WH1")!).OnHand);
    }

    [Fact]
    public async Task WriteAsync_SetWithStaleExpected_ThrowsNonTransientAndKeepsValue()
    {
        var connector = Connector();
        connector.Seed(EntityKind.StockLevel, new StockLevel { Sku = "A", LocationId = "WH1", OnHand = 7, Available = 7 });

        var ex = await Assert.ThrowsAsync<ConnectorException>(() => connector.WriteAsync(new WriteRequest
        {
            Kind = EntityKind.StockLevel,
            Operation = WriteOperation.Set,
            TargetKey = "A@WH1",
            Record = new StockLevel { Sku = "A", LocationId = "WH1", OnHand = 8, Available = 8 },
            Expected = new StockLevel { Sku = "A", LocationId = "WH1", OnHand = 5, Available = 5 },
        }, Ct));

        Assert.False(ex.IsTransient);
        Assert.Equal(
            "StockLevel 'A@WH1': compare-and-set failed: expected onHand 5, reserved 0, available 5, but 'memory' holds onHand 7, reserved 0, available 7",
            ex.Message);
        Assert.Equal(7, ((StockLevel)connector.Get(EntityKind.StockLevel, "A@WH1")!).OnHand);
    }

    [Fact]
    public async Task WriteAsync_Delta_AddsQuantities()
    {
        var connector = Connector();
        connector.Seed(EntityKind.StockLevel, new StockLevel { Sku = "A", OnHand = 10, Reserved = 2, Available = 8 });

        await connector.WriteAsync(new WriteRequest
        {
            Kind = EntityKind.StockLevel,
            Operation = WriteOperation.Delta,
            TargetKey = "A",
            Record = new StockLevel { Sku = "A", OnHand = -3, Available = -3 },
        }, Ct);
        await connector.WriteAsync(new WriteRequest
        {
            Kind = EntityKind.StockLevel,
            Operation = WriteOperation.Delta,
            Record = new StockLevel { Sku = "B", OnHand = 4, Available = 4 },
        }, Ct);

        var a = (StockLevel)connector.Get(EntityKind.StockLevel, "A")!;
        Assert.Equal((7m, 2m, 5m), (a.OnHand, a.Reserved, a.Available));
        Assert.Equal(4, ((StockLevel)connector.Get(EntityKind.StockLevel, "B")!).OnHand);
    }

    [Fact]
    public async Task WriteAsync_WithNormalizer_StoresAndReadsBackNormalizedRecord()
    {
        var vendorTime = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var connector = Connector(normalizer: (_, record) => record is Customer c
            ? c with
            {
                Name = c.Name?.Trim(),
                BillingAddress = c.BillingAddress! with { CountryCode = c.BillingAddress.CountryCode?.ToUpperInvariant() },
                UpdatedAt = vendorTime,
                ExternalId = "the normaliser may not change the key",
            }
            : record);

        var result = await connector.WriteAsync(Create(Customer(1) with { Name = "  Ada  " }), Ct);

        var stored = Assert.IsType<Customer>(result.ReadBack);
        Assert.Equal("Ada", stored.Name);
        Assert.Equal("NL", stored.BillingAddress!.CountryCode);
        Assert.Equal(vendorTime, stored.UpdatedAt);
        Assert.Equal(result.TargetKey, stored.ExternalId);
        Assert.Equal(stored, connector.Get(EntityKind.Customer, result.TargetKey!));
    }

    [Fact]
    public async Task FindByNaturalKeyAsync_EmailInOtherCase_Matches()
    {
        var connector = Connector();
        connector.Seed(EntityKind.Customer, Customer(1), Customer(2));

        var found = await connector.FindByNaturalKeyAsync(EntityKind.Customer, "CUSTOMER2@example.com", Ct);
        var none = await connector.FindByNaturalKeyAsync(EntityKind.Customer, "nobody@example.com", Ct);

        Assert.Equal("customer2@example.com", Assert.IsType<Customer>(Assert.Single(found)).Email);
        Assert.Empty(none);
    }

    [Fact]
    public async Task FindByNaturalKeyAsync_CustomSelector_IsUsed()
    {
        var connector = new InMemoryConnector(new InMemoryConnectorOptions
        {
            TimeProvider = _clock,
            NaturalKeySelector = record => (record as Product)?.Gtin,
        });
        connector.Seed(EntityKind.Product, new Product { Sku = "A", Gtin = "871" }, new Product { Sku = "B", Gtin = "872" });

        var found = await connector.FindByNaturalKeyAsync(EntityKind.Product, "872", Ct);

        Assert.Equal("B", Assert.IsType<Product>(Assert.Single(found)).Sku);
    }

    [Fact]
    public async Task GetManyAsync_MissingAndDeletedKeys_AreAbsent()
    {
        var connector = Connector();
        var keys = connector.Seed(EntityKind.Customer, Customer(1), Customer(2));
        connector.Delete(EntityKind.Customer, keys[1]);

        var found = await connector.GetManyAsync(EntityKind.Customer, [keys[0], keys[1], "nope"], Ct);

        Assert.Equal([keys[0]], found.Keys);
    }

    [Fact]
    public async Task Seed_Records_NotCountedAsWrites()
    {
        var connector = Connector();

        var keys = connector.Seed(EntityKind.Customer, Customer(1), Customer(2) with { ExternalId = "C-2" });

        Assert.Equal(["customer-000001", "C-2"], keys);
        Assert.Equal(0, connector.WriteCount);
        Assert.Equal(0, connector.CreateCount);
        Assert.Equal(2, connector.Snapshot(EntityKind.Customer).Count);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Mutate_Record_BumpsStampSoNextReadReportsIt()
    {
        var connector = Connector();
        var keys = connector.Seed(EntityKind.Customer, Customer(1), Customer(2));
        _clock.Advance(TimeSpan.FromMinutes(10));
        var checkpoint = _clock.GetUtcNow();

        var stored = connector.Mutate<Customer>(EntityKind.Customer, keys[0], c => c with { Phone = "+31 6 1234" });
        var page = await connector.ReadChangesAsync(new ChangeQuery { Kind = EntityKind.Customer, Since = checkpoint }, Ct);

        var changed = Assert.Single(page.Records);
        Assert.Equal(keys[0], changed.Key);
        Assert.Equal("+31 6 1234", ((Customer)changed.Record!).Phone);
        Assert.Equal(checkpoint, stored.UpdatedAt);
        Assert.Equal(0, connector.WriteCount);
    }

    [Fact]
    public async Task Mutate_MissingKey_ThrowsKeyNotFound()
    {
        var connector = Connector();

        Assert.Throws<KeyNotFoundException>(() => connector.Mutate(EntityKind.Customer, "nope", r => r));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task WriteAsync_ConcurrentCreates_AllStoredWithDistinctKeys()
    {
        var connector = Connector();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => connector.WriteAsync(Create(Customer(i)), Ct), Ct)));

        Assert.Equal(200, connector.Snapshot(EntityKind.Customer).Select(r => r.RecordKey).Distinct().Count());
        Assert.Equal(200, connector.CreateCount);
    }

    internal static async Task<List<string>> ReadAllKeysAsync(IChangeReader reader, EntityKind kind, DateTimeOffset? since, int pageSize)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await reader.ReadChangesAsync(
                new ChangeQuery { Kind = kind, Since = since, PageSizeHint = pageSize, ContinuationToken = token }, Ct);
            Assert.True(page.Records.Count <= pageSize);
            keys.AddRange(page.Records.Select(r => r.Key));
            token = page.ContinuationToken;
        }
        while (token is not null);

        return keys;
    }

    internal static WriteRequest Create(ICanonicalRecord record, string? token = null, EntityKind? kind = null)
        => new() { Kind = kind ?? EntityKind.Customer, Operation = WriteOperation.Create, Record = record, IdempotencyToken = token };

    internal static Customer Customer(int number)
        => new()
        {
            Name = "Customer " + number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Email = $"customer{number}@example.com",
            BillingAddress = new Address { City = "Utrecht", CountryCode = "nl" },
        };

    internal static Order Order(string number) => new() { Number = number, Currency = "EUR" };

    internal static EntityCapabilities Capabilities(EntityKind kind, SettlementMode settlement)
        => InMemoryConnector.DefaultCapabilities(kind) with { Settlement = settlement };

    private InMemoryConnector Connector(
        Func<EntityKind, ICanonicalRecord, ICanonicalRecord>? normalizer = null,
        TimeSpan jobDelay = default,
        params (EntityKind Kind, EntityCapabilities Capabilities)[] entities)
    {
        var options = new InMemoryConnectorOptions { TimeProvider = _clock, WriteNormalizer = normalizer, JobDelay = jobDelay };
        foreach (var (kind, capabilities) in entities)
        {
            options.Entities[kind] = capabilities;
        }

        return new InMemoryConnector(options);
    }
}
