using Connectors.Abstractions;

namespace Connectors.Core.InMemory;

/// <summary>Options of an <see cref="InMemoryConnector"/>.</summary>
public sealed class InMemoryConnectorOptions
{
    /// <summary>Gets or sets the vendor id the connector reports.</summary>
    /// <value>The default value is <c>memory</c>.</value>
    public string VendorId { get; set; } = "memory";

    /// <summary>Gets or sets the clock every timestamp comes from (modification stamps, <c>updatedAt</c>, job delays).</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets what the connector can do per entity kind. When left empty, the connector handles every standard kind with
    /// <see cref="InMemoryConnector.DefaultCapabilities"/>.
    /// </summary>
    public IDictionary<EntityKind, EntityCapabilities> Entities { get; } = new Dictionary<EntityKind, EntityCapabilities>();

    /// <summary>
    /// Gets or sets the prefix of generated keys. Keys are <c>{prefix}{kind}-{n}</c> with <c>n</c> counting from 1 per
    /// kind and written with six digits (<c>order-000001</c>), so they sort in creation order.
    /// </summary>
    /// <value>The default value is the empty string.</value>
    public string KeyPrefix { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets a function that makes the key of the <c>n</c>-th generated record of a kind (counting from 1),
    /// replacing the <see cref="KeyPrefix"/> scheme. It must be deterministic and give distinct keys.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<EntityKind, long, string>? KeyFactory { get; set; }

    /// <summary>
    /// Gets or sets a function applied to every record before it is stored by a write (not by
    /// <see cref="InMemoryConnector.Seed"/> or <see cref="InMemoryConnector.Mutate"/>), to simulate a target that
    /// normalises what it is sent: upper-cases a country, trims, rounds, sets its own <c>updatedAt</c>. The record it
    /// receives already carries the key as <c>externalId</c> and the write time as <c>updatedAt</c>; the key it may not
    /// change. A <see cref="RecordValidationException"/> it throws is the target refusing the record.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<EntityKind, ICanonicalRecord, ICanonicalRecord>? WriteNormalizer { get; set; }

    /// <summary>
    /// Gets or sets a function that gives a record's natural key, replacing the field named by
    /// <see cref="EntityCapabilities.NaturalKey"/> (<c>sku</c>, <c>email</c>, <c>number</c>). Its values compare
    /// ordinally.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<ICanonicalRecord, string?>? NaturalKeySelector { get; set; }

    /// <summary>
    /// Gets or sets how long after its submission an asynchronous write job (settlement mode
    /// <see cref="SettlementMode.AsyncJob"/>) completes: the record appears, and the job succeeds, at the first poll
    /// at least this long after the create.
    /// </summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>: the first poll completes the job.</value>
    public TimeSpan JobDelay { get; set; }

    /// <summary>
    /// Gets or sets the path of a data file that makes the connector durable: every applied change is appended to it as
    /// one JSON line and flushed to disk before the call returns, and a connector created over an existing file replays
    /// it. A process killed at any moment leaves exactly what the "vendor" had committed.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the data lives in memory only.</value>
    public string? DataFilePath { get; set; }
}
