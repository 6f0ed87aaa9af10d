using System.Globalization;
using System.Text;
using Connectors.Abstractions;

namespace Connectors.Core.InMemory;

/// <summary>
/// A reference connector that keeps canonical records in memory (optionally durable in a data file), per entity kind.
/// It behaves like a well-run vendor API — change reads with inclusive <c>since</c> and stable continuation tokens,
/// reads by key, look-ups by natural key and correlation value, and writes that honour each kind's declared
/// <see cref="SettlementMode"/> — and offers inspection members for tests (<see cref="Snapshot"/>,
/// <see cref="WriteCount"/>, <see cref="Seed"/>, <see cref="Mutate"/>, <see cref="Delete"/>).
/// </summary>
/// <remarks>
/// <para>
/// Every record written gets its key as <c>externalId</c> (for the canonical types that have one) and the write time
/// as <c>updatedAt</c>, and carries a modification stamp that orders change reads by (stamp, key). Every write stores
/// <see cref="WriteRequest.IdempotencyToken"/> as the record's correlation value. Deleted records leave a tombstone
/// that change reads report when the kind declares <see cref="EntityOperations.ReportsDeletes"/>.
/// </para>
/// <para>
/// A member called for a kind the connector does not handle, or for an operation the kind does not declare, throws
/// <see cref="NotSupportedException"/>. The connector is thread-safe; every timestamp comes from
/// <see cref="InMemoryConnectorOptions.TimeProvider"/>.
/// </para>
/// </remarks>
public sealed class InMemoryConnector : IConnector, IChangeReader, IRecordReader, IRecordWriter, IRecordFinder, IWriteJobTracker, IDisposable
{
    private const EntityOperations WriteOperations =
        EntityOperations.Create | EntityOperations.Update | EntityOperations.Set | EntityOperations.Delta | EntityOperations.Delete;

    private static readonly EntityKind[] StandardKinds =
    [
        EntityKind.Order, EntityKind.Customer, EntityKind.Supplier, EntityKind.Product, EntityKind.Invoice,
        EntityKind.Payment, EntityKind.Refund, EntityKind.StockLevel, EntityKind.Shipment,
    ];

    private readonly Lock _gate = new();
    private readonly Dictionary<EntityKind, KindState> _kinds = [];
    private readonly Dictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly string _keyPrefix;
    private readonly Func<EntityKind, long, string>? _keyFactory;
    private readonly Func<EntityKind, ICanonicalRecord, ICanonicalRecord>? _normalizer;
    private readonly Func<ICanonicalRecord, string?>? _naturalKeySelector;
    private readonly TimeSpan _jobDelay;
    private readonly DataFile? _dataFile;
    private readonly bool _offersReader;
    private readonly bool _offersChanges;
    private readonly bool _offersWriter;
    private readonly bool _offersFinder;
    private readonly bool _offersJobs;
    private long _version;
    private long _jobSequence;
    private int _writeCount;
    private int _createCount;
    private bool _disposed;

    /// <summary>Creates a connector with default options: every standard kind, all operations, in memory only.</summary>
    public InMemoryConnector()
        : this(new InMemoryConnectorOptions())
    {
    }

    /// <summary>Creates a connector. With <see cref="InMemoryConnectorOptions.DataFilePath"/> set, replays the data file.</summary>
    /// <param name="options">The options, read once.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or its time provider is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The vendor id is empty or a kind declares a page size below 1.</exception>
    /// <exception cref="InvalidDataException">The data file is damaged before its last line.</exception>
    public InMemoryConnector(InMemoryConnectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.TimeProvider, "options.TimeProvider");
        ArgumentException.ThrowIfNullOrWhiteSpace(options.VendorId, "options.VendorId");
        if (options.JobDelay < TimeSpan.Zero)
        {
            throw new ArgumentException($"The job delay must not be negative; it is {options.JobDelay}.", nameof(options));
        }

        VendorId = options.VendorId;
        _time = options.TimeProvider;
        _keyPrefix = options.KeyPrefix ?? string.Empty;
        _keyFactory = options.KeyFactory;
        _normalizer = options.WriteNormalizer;
        _naturalKeySelector = options.NaturalKeySelector;
        _jobDelay = options.JobDelay;

        var entities = options.Entities.Count > 0
            ? new Dictionary<EntityKind, EntityCapabilities>(options.Entities)
            : StandardKinds.ToDictionary(k => k, DefaultCapabilities);
        foreach (var (kind, capabilities) in entities)
        {
            ArgumentNullException.ThrowIfNull(capabilities, $"options.Entities[{kind}]");
            if (capabilities.MaxPageSize < 1)
            {
                throw new ArgumentException(
                    $"Entity kind '{kind}' declares MaxPageSize {capabilities.MaxPageSize.ToString(CultureInfo.InvariantCulture)}; it must be at least 1.",
                    nameof(options));
            }

            _kinds[kind] = new KindState();
        }

        Capabilities = new ConnectorCapabilities(entities);
        _offersChanges = entities.Values.Any(c => c.Supports(EntityOperations.ReadChanges));
        _offersReader = entities.Values.Any(c => c.Supports(EntityOperations.ReadByKey));
        _offersWriter = entities.Values.Any(c => (c.Operations & WriteOperations) != 0);
        _offersFinder = entities.Values.Any(c => (c.Operations & (EntityOperations.FindByNaturalKey | EntityOperations.FindByCorrelation)) != 0);
        _offersJobs = entities.Values.Any(c => c.Settlement == SettlementMode.AsyncJob);

        if (options.DataFilePath is { } path)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(path, "options.DataFilePath");
            _dataFile = DataFile.Open(path, out var changes);
            foreach (var change in changes)
            {
                Apply(change);
            }
        }
    }

    /// <inheritdoc />
    public string VendorId { get; }

    /// <inheritdoc />
    public ConnectorCapabilities Capabilities { get; }

    /// <summary>Gets how many writes were applied since the connector was created (not counting seeds, mutations, replays).</summary>
    public int WriteCount
    {
        get
        {
            lock (_gate)
            {
                return _writeCount;
            }
        }
    }

    /// <summary>Gets how many records writes created since the connector was created (not counting seeds or replays).</summary>
    public int CreateCount
    {
        get
        {
            lock (_gate)
            {
                return _createCount;
            }
        }
    }

    /// <summary>
    /// Gets the capabilities the connector declares by default for a kind: every operation (set and delta only for
    /// stock levels), deletes reported, settlement through the correlation field, no settle lag, the kind's usual
    /// natural key (<c>sku</c>, <c>email</c>, <c>number</c>), pages of up to 100. Adjust with a <c>with</c> expression.
    /// </summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The capabilities.</returns>
    public static EntityCapabilities DefaultCapabilities(EntityKind kind)
    {
        var operations = EntityOperations.ReadChanges | EntityOperations.ReadByKey | EntityOperations.Create
            | EntityOperations.Update | EntityOperations.Delete | EntityOperations.FindByNaturalKey
            | EntityOperations.FindByCorrelation | EntityOperations.ReportsDeletes;
        if (kind == EntityKind.StockLevel)
        {
            operations |= EntityOperations.Set | EntityOperations.Delta;
        }

        return new EntityCapabilities
        {
            Operations = operations,
            Settlement = SettlementMode.CorrelationField,
            NaturalKey = RecordFields.DefaultNaturalKey(kind),
        };
    }

    /// <summary>
    /// Asks for a service: this connector for each capability interface that at least one declared kind uses (for
    /// example <see cref="IWriteJobTracker"/> only when a kind settles by <see cref="SettlementMode.AsyncJob"/>), and
    /// for its own type and <see cref="IConnector"/>.
    /// </summary>
    /// <param name="serviceType">The type of the service requested.</param>
    /// <param name="serviceKey">An optional key; the connector offers no keyed services.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is <see langword="null"/>.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null || !serviceType.IsInstanceOfType(this))
        {
            return null;
        }

        var offered = serviceType == typeof(IChangeReader) ? _offersChanges
            : serviceType == typeof(IRecordReader) ? _offersReader
            : serviceType == typeof(IRecordWriter) ? _offersWriter
            : serviceType == typeof(IRecordFinder) ? _offersFinder
            : serviceType != typeof(IWriteJobTracker) || _offersJobs;
        return offered ? this : null;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Records come in ascending (stamp, key) order; <see cref="ChangeQuery.Since"/> is inclusive,
    /// <see cref="ChangeQuery.Until"/> exclusive; a page holds at most min(hint, <see cref="EntityCapabilities.MaxPageSize"/>)
    /// records. The continuation token encodes the last (stamp, key) served, so it stays valid when records change
    /// between pages.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The page size hint is below 1.</exception>
    /// <exception cref="ArgumentException">The continuation token was not issued by this connector.</exception>
    /// <exception cref="NotSupportedException">The kind is not handled or does not declare <see cref="EntityOperations.ReadChanges"/>.</exception>
    public Task<ChangePage> ReadChangesAsync(ChangeQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.PageSizeHint is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.PageSizeHint, "The page size hint must be at least 1.");
        }

        var capabilities = Require(query.Kind, EntityOperations.ReadChanges);
        var after = query.ContinuationToken is null ? ((long Ticks, string Key)?)null : DecodeToken(query.ContinuationToken);
        var size = Math.Min(query.PageSizeHint ?? capabilities.MaxPageSize, capabilities.MaxPageSize);
        var reportDeletes = capabilities.Supports(EntityOperations.ReportsDeletes);
        return Run(() =>
        {
            List<Entry> selected;
            lock (_gate)
            {
                var since = query.Since?.UtcTicks;
                var until = query.Until?.UtcTicks;
                selected = [.. _kinds[query.Kind].Records.Values
                    .Where(e => (e.Record is not null || reportDeletes)
                        && (since is null || e.Stamp.UtcTicks >= since)
                        && (until is null || e.Stamp.UtcTicks < until)
                        && (after is null || IsAfter(e, after.Value)))
                    .OrderBy(e => e.Stamp.UtcTicks)
                    .ThenBy(e => e.Key, StringComparer.Ordinal)
                    .Take(size + 1)];
            }

            var more = selected.Count > size;
            if (more)
            {
                selected.RemoveAt(size);
            }

            var records = selected
                .Select(e => new ChangedRecord { Key = e.Key, ModifiedAt = e.Stamp, Record = e.Record, Deleted = e.Record is null })
                .ToList();
            return new ChangePage
            {
                Records = records,
                ContinuationToken = more ? EncodeToken(selected[^1]) : null,
            };
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The kind is not handled or does not declare <see cref="EntityOperations.ReadByKey"/>.</exception>
    public Task<IReadOnlyDictionary<string, ICanonicalRecord>> GetManyAsync(
        EntityKind kind, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Require(kind, EntityOperations.ReadByKey);
        return Run<IReadOnlyDictionary<string, ICanonicalRecord>>(() =>
        {
            var found = new Dictionary<string, ICanonicalRecord>(StringComparer.Ordinal);
            lock (_gate)
            {
                var records = _kinds[kind].Records;
                foreach (var key in keys)
                {
                    if (key is not null && records.TryGetValue(key, out var entry) && entry.Record is { } record)
                    {
                        found[key] = record;
                    }
                }
            }

            return found;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The natural key is the field named by <see cref="EntityCapabilities.NaturalKey"/> — <c>sku</c> (products, stock
    /// levels), <c>email</c> (customers, compared ignoring case), <c>number</c> (orders, invoices), <c>gtin</c>,
    /// <c>externalId</c> — or what <see cref="InMemoryConnectorOptions.NaturalKeySelector"/> returns. Matches come in key
    /// order.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="naturalKey"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The kind is not handled or does not declare <see cref="EntityOperations.FindByNaturalKey"/>.</exception>
    public Task<IReadOnlyList<ICanonicalRecord>> FindByNaturalKeyAsync(
        EntityKind kind, string naturalKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(naturalKey);
        var capabilities = Require(kind, EntityOperations.FindByNaturalKey);
        return Run<IReadOnlyList<ICanonicalRecord>>(() =>
        {
            lock (_gate)
            {
                return FindLiveByNaturalKey(kind, capabilities, naturalKey).Select(e => e.Record!).ToList();
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Answers an empty list when nothing matches, like a vendor's filter. Matches come in key order.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="correlationValue"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The kind is not handled or does not declare <see cref="EntityOperations.FindByCorrelation"/>.</exception>
    public Task<IReadOnlyList<ICanonicalRecord>> FindByCorrelationAsync(
        EntityKind kind, string correlationValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(correlationValue);
        Require(kind, EntityOperations.FindByCorrelation);
        return Run<IReadOnlyList<ICanonicalRecord>>(() =>
        {
            lock (_gate)
            {
                return _kinds[kind].Records.Values
                    .Where(e => e.Record is not null && string.Equals(e.Correlation, correlationValue, StringComparison.Ordinal))
                    .OrderBy(e => e.Key, StringComparer.Ordinal)
                    .Select(e => e.Record!)
                    .ToList();
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// <list type="bullet">
    /// <item><see cref="WriteOperation.Create"/>: a new key (<c>{prefix}{kind}-000001</c>; a stock level's own
    /// <c>sku@location</c>). With <see cref="SettlementMode.IdempotencyKey"/> a token seen before returns the first
    /// result without creating again; with <see cref="SettlementMode.RejectsDuplicates"/> an existing natural key
    /// throws <see cref="DuplicateRecordException"/>; with <see cref="SettlementMode.AsyncJob"/> the create is submitted
    /// and applied when <see cref="GetJobStatusAsync"/> is polled after <see cref="InMemoryConnectorOptions.JobDelay"/>.</item>
    /// <item><see cref="WriteOperation.Update"/>: replaces the record with <see cref="WriteRequest.TargetKey"/>.</item>
    /// <item><see cref="WriteOperation.Set"/>: stores the record whether or not it exists; with
    /// <see cref="WriteRequest.Expected"/> only if the stored record still equals it (stock levels compare on hand,
    /// reserved and available).</item>
    /// <item><see cref="WriteOperation.Delta"/>: adds a stock level's quantities to the stored ones.</item>
    /// <item><see cref="WriteOperation.Delete"/>: deletes the record, leaving a tombstone.</item>
    /// </list>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The request lacks the record or the target key its operation needs.</exception>
    /// <exception cref="NotSupportedException">The kind is not handled or does not declare the operation.</exception>
    /// <exception cref="RecordValidationException">The record is not of the kind's canonical type, or the normaliser refused it.</exception>
    /// <exception cref="RecordNotFoundException">An update or delete names a key the connector does not hold.</exception>
    /// <exception cref="DuplicateRecordException">A create repeats an existing natural key (or stock level key).</exception>
    /// <exception cref="ConnectorException">A compare-and-set found another value, or a delta was sent for a record that is not a stock level.</exception>
    public Task<WriteResult> WriteAsync(WriteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var capabilities = Require(request.Kind, request.Operation switch
        {
            WriteOperation.Create => EntityOperations.Create,
            WriteOperation.Update => EntityOperations.Update,
            WriteOperation.Set => EntityOperations.Set,
            WriteOperation.Delta => EntityOperations.Delta,
            WriteOperation.Delete => EntityOperations.Delete,
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Operation, "Unknown write operation."),
        });
        if (request.Operation != WriteOperation.Delete && request.Record is null)
        {
            throw new ArgumentException($"A {request.Operation} write needs a record.", nameof(request));
        }

        if (request.Operation is WriteOperation.Update or WriteOperation.Delete && string.IsNullOrEmpty(request.TargetKey))
        {
            throw new ArgumentException($"A {request.Operation} write needs a target key.", nameof(request));
        }

        return Run(() =>
        {
            lock (_gate)
            {
                ThrowIfDisposed();
                return request.Operation switch
                {
                    WriteOperation.Create => Create(request, capabilities),
                    WriteOperation.Update => Update(request),
                    WriteOperation.Set => Set(request),
                    WriteOperation.Delta => Delta(request),
                    _ => DeleteWrite(request),
                };
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A pending job completes at the first poll at least <see cref="InMemoryConnectorOptions.JobDelay"/> after its
    /// submission: the record is created then. A job whose record the target refuses (a normaliser's
    /// <see cref="RecordValidationException"/>, a key that exists) fails with the refusal's message.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="jobId"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The kind is not handled.</exception>
    /// <exception cref="RecordNotFoundException">The connector never issued the job for this kind.</exception>
    public Task<WriteJobStatus> GetJobStatusAsync(EntityKind kind, string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var capabilities = Require(kind, EntityOperations.None);
        return Run(() =>
        {
            lock (_gate)
            {
                if (!_jobs.TryGetValue(jobId, out var job) || job.Kind != kind)
                {
                    throw new RecordNotFoundException($"The '{VendorId}' connector knows no {kind} job '{jobId}'.")
                    {
                        Connector = VendorId,
                        Operation = string.Concat(kind.Value, ".job"),
                        StatusCode = 404,
                    };
                }

                if (job.State == WriteJobState.Pending && _time.GetUtcNow() - job.SubmittedAt >= _jobDelay)
                {
                    ThrowIfDisposed();
                    try
                    {
                        ApplyCreate(kind, capabilities, job.Record, job.Correlation, job.Id);
                    }
                    catch (ConnectorException ex) when (ex is RecordValidationException or DuplicateRecordException)
                    {
                        Commit(new Change
                        {
                            Op = ChangeOp.JobFailed,
                            Kind = kind,
                            JobId = job.Id,
                            Stamp = _time.GetUtcNow(),
                            Version = _version + 1,
                            Error = ex.Message,
                        });
                    }
                }

                return new WriteJobStatus { State = job.State, TargetKey = job.TargetKey, ReadBack = job.ReadBack, Error = job.Error };
            }
        }, cancellationToken);
    }

    /// <summary>Gets how many writes were applied to a kind since the connector was created.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The count; 0 for a kind the connector does not handle.</returns>
    public int GetWriteCount(EntityKind kind)
    {
        lock (_gate)
        {
            return _kinds.TryGetValue(kind, out var state) ? state.WriteCount : 0;
        }
    }

    /// <summary>Gets how many records writes created for a kind since the connector was created.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The count; 0 for a kind the connector does not handle.</returns>
    public int GetCreateCount(EntityKind kind)
    {
        lock (_gate)
        {
            return _kinds.TryGetValue(kind, out var state) ? state.CreateCount : 0;
        }
    }

    /// <summary>Gets the records the connector holds for a kind now (deleted ones excluded), in key order.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The records.</returns>
    /// <exception cref="NotSupportedException">The kind is not handled.</exception>
    public IReadOnlyList<ICanonicalRecord> Snapshot(EntityKind kind)
    {
        Require(kind, EntityOperations.None);
        lock (_gate)
        {
            return _kinds[kind].Records.Values
                .Where(e => e.Record is not null)
                .OrderBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => e.Record!)
                .ToList();
        }
    }

    /// <summary>Gets one record the connector holds, or <see langword="null"/> when it holds none (or it was deleted).</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="key">The key.</param>
    /// <returns>The record or <see langword="null"/>.</returns>
    /// <exception cref="NotSupportedException">The kind is not handled.</exception>
    public ICanonicalRecord? Get(EntityKind kind, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Require(kind, EntityOperations.None);
        lock (_gate)
        {
            return _kinds[kind].Records.GetValueOrDefault(key)?.Record;
        }
    }

    /// <summary>Gets the correlation value stored with a record by the last write that carried one.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    /// <exception cref="NotSupportedException">The kind is not handled.</exception>
    public string? GetCorrelation(EntityKind kind, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Require(kind, EntityOperations.None);
        lock (_gate)
        {
            return _kinds[kind].Records.GetValueOrDefault(key)?.Correlation;
        }
    }

    /// <summary>
    /// Inserts records as existing data, without counting them as writes and without the normaliser. A record keeps
    /// its own key (<c>externalId</c>, a stock level's <c>sku@location</c>) when it has one, replacing a record with that
    /// key; otherwise it gets a generated key. Every record gets the current time as <c>updatedAt</c> and stamp.
    /// </summary>
    /// <param name="kind">The kind.</param>
    /// <param name="records">The records.</param>
    /// <returns>The keys of the records, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> or one of them is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The kind is not handled.</exception>
    /// <exception cref="RecordValidationException">A record is not of the kind's canonical type.</exception>
    public IReadOnlyList<string> Seed(EntityKind kind, params IEnumerable<ICanonicalRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        Require(kind, EntityOperations.None);
        var keys = new List<string>();
        lock (_gate)
        {
            ThrowIfDisposed();
            var state = _kinds[kind];
            foreach (var record in records)
            {
                ArgumentNullException.ThrowIfNull(record, nameof(records));
                CheckType(kind, record, record.RecordKey);
                string key;
                long? sequence = null;
                if (record.RecordKey.Length > 0)
                {
                    key = record.RecordKey;
                }
                else
                {
                    (key, sequence) = NextKey(kind, state);
                }

                var now = _time.GetUtcNow();
                Commit(new Change
                {
                    Op = ChangeOp.Put,
                    Kind = kind,
                    Key = key,
                    Stamp = now,
                    Version = _version + 1,
                    Record = RecordFields.Stamp(record, key, now),
                    Sequence = sequence,
                    Correlation = state.Records.GetValueOrDefault(key)?.Correlation,
                });
                keys.Add(key);
            }
        }

        return keys;
    }

    /// <summary>
    /// Changes a record as if a user edited it in this system: the change's result is stored with the current time as
    /// <c>updatedAt</c> and a new stamp, so the next change read reports it. Not counted as a write; no normaliser.
    /// </summary>
    /// <param name="kind">The kind.</param>
    /// <param name="key">The record's key.</param>
    /// <param name="change">Returns the edited record (its key is kept).</param>
    /// <returns>The record as stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="change"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The kind is not handled.</exception>
    /// <exception cref="KeyNotFoundException">The connector holds no record with the key.</exception>
    public ICanonicalRecord Mutate(EntityKind kind, string key, Func<ICanonicalRecord, ICanonicalRecord> change)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(change);
        Require(kind, EntityOperations.None);
        lock (_gate)
        {
            ThrowIfDisposed();
            var entry = _kinds[kind].Records.GetValueOrDefault(key);
            if (entry?.Record is not { } current)
            {
                throw new KeyNotFoundException($"The '{VendorId}' connector holds no {kind} '{key}'.");
            }

            var changed = change(current) ?? throw new InvalidOperationException("The change returned no record.");
            CheckType(kind, changed, key);
            var now = _time.GetUtcNow();
            var stored = RecordFields.Stamp(changed, key, now);
            Commit(new Change
            {
                Op = ChangeOp.Put,
                Kind = kind,
                Key = key,
                Stamp = now,
                Version = _version + 1,
                Record = stored,
                Correlation = entry.Correlation,
            });
            return stored;
        }
    }

    /// <summary>Changes a record of a known type as if a user edited it in this system (see the untyped overload).</summary>
    /// <typeparam name="T">The record's canonical type.</typeparam>
    /// <param name="kind">The kind.</param>
    /// <param name="key">The record's key.</param>
    /// <param name="change">Returns the edited record.</param>
    /// <returns>The record as stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="change"/> is <see langword="null"/>.</exception>
    /// <exception cref="KeyNotFoundException">The connector holds no record with the key.</exception>
    /// <exception cref="InvalidCastException">The record is not a <typeparamref name="T"/>.</exception>
    public T Mutate<T>(EntityKind kind, string key, Func<T, T> change)
        where T : ICanonicalRecord
    {
        ArgumentNullException.ThrowIfNull(change);
        return (T)Mutate(kind, key, record => change((T)record));
    }

    /// <summary>Deletes a record as if a user deleted it in this system (not counted as a write); a tombstone remains.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="key">The record's key.</param>
    /// <returns><see langword="true"/> when the record existed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The kind is not handled.</exception>
    public bool Delete(EntityKind kind, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Require(kind, EntityOperations.None);
        lock (_gate)
        {
            ThrowIfDisposed();
            var entry = _kinds[kind].Records.GetValueOrDefault(key);
            if (entry?.Record is null)
            {
                return false;
            }

            CommitDelete(kind, key, entry);
            return true;
        }
    }

    /// <summary>Closes the data file of a durable connector. The in-memory state stays readable.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _dataFile?.Dispose();
        }
    }

    private static Task<T> Run<T>(Func<T> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        try
        {
            return Task.FromResult(work());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Task.FromException<T>(ex);
        }
    }

    private static bool IsAfter(Entry entry, (long Ticks, string Key) after)
    {
        var ticks = entry.Stamp.UtcTicks;
        return ticks > after.Ticks || (ticks == after.Ticks && string.CompareOrdinal(entry.Key, after.Key) > 0);
    }

    private static string EncodeToken(Entry last)
    {
        var text = string.Concat(last.Stamp.UtcTicks.ToString(CultureInfo.InvariantCulture), ":", last.Key);
        return "m1." + Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
    }

    private static (long Ticks, string Key) DecodeToken(string token)
    {
        try
        {
            if (token.StartsWith("m1.", StringComparison.Ordinal))
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(token[3..]));
                var colon = text.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                {
                    return (ticks, text[(colon + 1)..]);
                }
            }
        }
        catch (FormatException)
        {
        }

        throw new ArgumentException($"'{token}' is not a continuation token of the in-memory connector.", nameof(token));
    }

    private EntityCapabilities Require(EntityKind kind, EntityOperations operation)
    {
        var capabilities = Capabilities.Require(kind, VendorId);
        if (!capabilities.Supports(operation))
        {
            throw new NotSupportedException(
                $"The '{VendorId}' connector does not declare {operation} for entity kind '{kind}'. Add it to the kind's EntityCapabilities.Operations.");
        }

        return capabilities;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed && _dataFile is not null, this);

    private static void CheckType(EntityKind kind, ICanonicalRecord record, string key)
    {
        if (RecordFields.ExpectedType(kind) is { } expected && record.GetType() != expected)
        {
            throw new RecordValidationException(
                kind,
                key.Length == 0 ? "(new)" : key,
                string.Empty,
                $"expected a record of type '{expected.Name}', got '{record.GetType().Name}'");
        }
    }

    private WriteResult Create(WriteRequest request, EntityCapabilities capabilities)
    {
        var kind = request.Kind;
        var record = request.Record!;
        CheckType(kind, record, record.RecordKey);
        var token = request.IdempotencyToken;
        var state = _kinds[kind];
        if (capabilities.Settlement == SettlementMode.IdempotencyKey && token is not null
            && state.FirstResults.TryGetValue(token, out var first))
        {
            return first;
        }

        if (capabilities.Settlement == SettlementMode.AsyncJob)
        {
            var sequence = _jobSequence + 1;
            var jobId = string.Concat("job-", sequence.ToString("D6", CultureInfo.InvariantCulture));
            Commit(new Change
            {
                Op = ChangeOp.Submit,
                Kind = kind,
                JobId = jobId,
                Stamp = _time.GetUtcNow(),
                Version = _version + 1,
                Record = record,
                Correlation = token,
                Sequence = sequence,
            });
            return WriteResult.Submitted(jobId);
        }

        return ApplyCreate(kind, capabilities, record, token, jobId: null);
    }

    private WriteResult ApplyCreate(EntityKind kind, EntityCapabilities capabilities, ICanonicalRecord record, string? token, string? jobId)
    {
        var state = _kinds[kind];
        string key;
        long? sequence = null;
        if (RecordFields.HasExternalId(record) || record.RecordKey.Length == 0)
        {
            (key, sequence) = NextKey(kind, state);
        }
        else
        {
            key = record.RecordKey;
        }

        var now = _time.GetUtcNow();
        var stored = Normalize(kind, RecordFields.Stamp(record, key, now), key);
        if (capabilities.Settlement == SettlementMode.RejectsDuplicates)
        {
            var naturalKey = NaturalKeyOf(capabilities, stored, out _);
            if (naturalKey is not null && FindLiveByNaturalKey(kind, capabilities, naturalKey).FirstOrDefault() is { } existing)
            {
                throw new DuplicateRecordException(
                    RecordMessage.Format(kind, existing.Key, capabilities.NaturalKey ?? string.Empty, $"'{VendorId}' already holds '{naturalKey}'"))
                {
                    Connector = VendorId,
                    Operation = string.Concat(kind.Value, ".create"),
                    StatusCode = 409,
                    ExistingKey = existing.Key,
                };
            }
        }

        if (state.Records.GetValueOrDefault(key)?.Record is not null)
        {
            throw new DuplicateRecordException(RecordMessage.Format(kind, key, string.Empty, $"'{VendorId}' already holds a record with this key"))
            {
                Connector = VendorId,
                Operation = string.Concat(kind.Value, ".create"),
                StatusCode = 409,
                ExistingKey = key,
            };
        }

        Commit(new Change
        {
            Op = ChangeOp.Put,
            Kind = kind,
            Key = key,
            Stamp = now,
            Version = _version + 1,
            Record = stored,
            Correlation = token,
            Created = true,
            Sequence = sequence,
            JobId = jobId,
        });
        CountWrite(state, created: true);
        return WriteResult.Applied(key, stored);
    }

    private WriteResult Update(WriteRequest request)
    {
        var kind = request.Kind;
        var key = request.TargetKey!;
        CheckType(kind, request.Record!, key);
        var state = _kinds[kind];
        var entry = state.Records.GetValueOrDefault(key);
        if (entry?.Record is null)
        {
            throw NotFound(kind, key, "update");
        }

        return Store(kind, key, request.Record!, request.IdempotencyToken ?? entry.Correlation, created: false);
    }

    private WriteResult Set(WriteRequest request)
    {
        var kind = request.Kind;
        var record = request.Record!;
        var key = request.TargetKey ?? record.RecordKey;
        if (key.Length == 0)
        {
            throw new ArgumentException("A Set write needs a target key or a record that carries its key.", nameof(request));
        }

        CheckType(kind, record, key);
        var entry = _kinds[kind].Records.GetValueOrDefault(key);
        var current = entry?.Record;
        if (request.Expected is { } expected && (current is null || !SameValue(current, expected, key)))
        {
            var holds = current is null ? "no record" : Describe(current);
            throw new ConnectorException(
                RecordMessage.Format(kind, key, string.Empty, $"compare-and-set failed: expected {Describe(expected)}, but '{VendorId}' holds {holds}"))
            {
                Connector = VendorId,
                Operation = string.Concat(kind.Value, ".set"),
                IsTransient = false,
                StatusCode = 409,
            };
        }

        return Store(kind, key, record, request.IdempotencyToken ?? entry?.Correlation, created: current is null);
    }

    private WriteResult Delta(WriteRequest request)
    {
        var kind = request.Kind;
        if (request.Record is not StockLevel delta)
        {
            throw new ConnectorException(
                RecordMessage.Format(kind, request.TargetKey ?? request.Record!.RecordKey, string.Empty,
                    $"a delta applies to stock levels only, not to a {request.Record!.GetType().Name}"))
            {
                Connector = VendorId,
                Operation = string.Concat(kind.Value, ".delta"),
                IsTransient = false,
                StatusCode = 400,
            };
        }

        var key = request.TargetKey ?? delta.RecordKey;
        CheckType(kind, delta, key);
        var entry = _kinds[kind].Records.GetValueOrDefault(key);
        var current = entry?.Record as StockLevel ?? new StockLevel { Sku = delta.Sku, LocationId = delta.LocationId };
        var result = current with
        {
            OnHand = current.OnHand + delta.OnHand,
            Reserved = current.Reserved + delta.Reserved,
            Available = current.Available + delta.Available,
        };
        return Store(kind, key, result, request.IdempotencyToken ?? entry?.Correlation, created: entry?.Record is null);
    }

    private WriteResult DeleteWrite(WriteRequest request)
    {
        var kind = request.Kind;
        var key = request.TargetKey!;
        var state = _kinds[kind];
        var entry = state.Records.GetValueOrDefault(key);
        if (entry?.Record is null)
        {
            throw NotFound(kind, key, "delete");
        }

        CommitDelete(kind, key, entry);
        CountWrite(state, created: false);
        return WriteResult.Applied(key, null);
    }

    private WriteResult Store(EntityKind kind, string key, ICanonicalRecord record, string? correlation, bool created)
    {
        var now = _time.GetUtcNow();
        var stored = Normalize(kind, RecordFields.Stamp(record, key, now), key);
        Commit(new Change
        {
            Op = ChangeOp.Put,
            Kind = kind,
            Key = key,
            Stamp = now,
            Version = _version + 1,
            Record = stored,
            Correlation = correlation,
        });
        CountWrite(_kinds[kind], created);
        return WriteResult.Applied(key, stored);
    }

    private void CommitDelete(EntityKind kind, string key, Entry entry)
        => Commit(new Change
        {
            Op = ChangeOp.Delete,
            Kind = kind,
            Key = key,
            Stamp = _time.GetUtcNow(),
            Version = _version + 1,
            Correlation = entry.Correlation,
        });

    private ICanonicalRecord Normalize(EntityKind kind, ICanonicalRecord record, string key)
    {
        if (_normalizer is null)
        {
            return record;
        }

        var normalized = _normalizer(kind, record)
            ?? throw new InvalidOperationException($"The write normaliser of the '{VendorId}' connector returned no record for {kind} '{key}'.");
        CheckType(kind, normalized, key);
        return RecordFields.WithKey(normalized, key);
    }

    private RecordNotFoundException NotFound(EntityKind kind, string key, string operation)
        => new(RecordMessage.Format(kind, key, string.Empty, $"'{VendorId}' holds no such record"))
        {
            Connector = VendorId,
            Operation = string.Concat(kind.Value, ".", operation),
            StatusCode = 404,
        };

    private (string Key, long Sequence) NextKey(EntityKind kind, KindState state)
    {
        var sequence = state.KeySequence;
        string key;
        do
        {
            sequence++;
            key = _keyFactory?.Invoke(kind, sequence)
                ?? string.Concat(_keyPrefix, kind.Value, "-", sequence.ToString("D6", CultureInfo.InvariantCulture));
        }
        while (state.Records.ContainsKey(key));

        return (key, sequence);
    }

    private string? NaturalKeyOf(EntityCapabilities capabilities, ICanonicalRecord record, out StringComparer comparer)
    {
        if (_naturalKeySelector is not null)
        {
            comparer = StringComparer.Ordinal;
            return _naturalKeySelector(record);
        }

        comparer = RecordFields.NaturalKeyComparer(capabilities.NaturalKey);
        return capabilities.NaturalKey is { } field ? RecordFields.NaturalKey(record, field) : null;
    }

    private List<Entry> FindLiveByNaturalKey(EntityKind kind, EntityCapabilities capabilities, string naturalKey)
        => _kinds[kind].Records.Values
            .Where(e => e.Record is not null && NaturalKeyOf(capabilities, e.Record, out var comparer) is { } value && comparer.Equals(value, naturalKey))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToList();

    private static bool SameValue(ICanonicalRecord current, ICanonicalRecord expected, string key)
    {
        if (current is StockLevel a && expected is StockLevel b)
        {
            return a.OnHand == b.OnHand && a.Reserved == b.Reserved && a.Available == b.Available;
        }

        var left = RecordFields.Stamp(current, key, DateTimeOffset.UnixEpoch);
        var right = RecordFields.Stamp(expected, key, DateTimeOffset.UnixEpoch);
        try
        {
            return string.Equals(CanonicalJson.Serialize(left), CanonicalJson.Serialize(right), StringComparison.Ordinal);
        }
        catch (NotSupportedException)
        {
            return Equals(left, right);
        }
    }

    private static string Describe(ICanonicalRecord record)
        => record is StockLevel s
            ? string.Create(CultureInfo.InvariantCulture, $"onHand {s.OnHand}, reserved {s.Reserved}, available {s.Available}")
            : "a different record";

    private void CountWrite(KindState state, bool created)
    {
        _writeCount++;
        state.WriteCount++;
        if (created)
        {
            _createCount++;
            state.CreateCount++;
        }
    }

    /// <summary>Writes a change to the data file (when durable), then applies it: the only way state changes.</summary>
    private void Commit(Change change)
    {
        _dataFile?.Append(change);
        Apply(change);
    }

    private void Apply(Change change)
    {
        _version = Math.Max(_version, change.Version);
        if (!_kinds.TryGetValue(change.Kind, out var state))
        {
            // A replayed kind the options no longer declare: keep it out of reach but keep the job and key counters right.
            state = new KindState();
            _kinds[change.Kind] = state;
        }

        switch (change.Op)
        {
            case ChangeOp.Put:
                var key = change.Key!;
                state.Records[key] = new Entry(key, change.Record, change.Stamp, change.Correlation);
                if (change.Sequence is { } sequence)
                {
                    state.KeySequence = Math.Max(state.KeySequence, sequence);
                }

                var applied = WriteResult.Applied(key, change.Record);
                if (change.Created && change.Correlation is not null)
                {
                    state.FirstResults.TryAdd(change.Correlation, applied);
                }

                if (change.JobId is not null && _jobs.TryGetValue(change.JobId, out var done))
                {
                    done.State = WriteJobState.Succeeded;
                    done.TargetKey = key;
                    done.ReadBack = change.Record;
                }

                break;
            case ChangeOp.Delete:
                state.Records[change.Key!] = new Entry(change.Key!, null, change.Stamp, change.Correlation);
                break;
            case ChangeOp.Submit:
                _jobSequence = Math.Max(_jobSequence, change.Sequence ?? 0);
                _jobs[change.JobId!] = new Job(change.JobId!, change.Kind, change.Record!, change.Correlation, change.Stamp);
                break;
            case ChangeOp.JobFailed:
                if (_jobs.TryGetValue(change.JobId!, out var failed))
                {
                    failed.State = WriteJobState.Failed;
                    failed.Error = change.Error;
                }

                break;
        }
    }

    private sealed record Entry(string Key, ICanonicalRecord? Record, DateTimeOffset Stamp, string? Correlation);

    private sealed class KindState
    {
        public Dictionary<string, Entry> Records { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, WriteResult> FirstResults { get; } = new(StringComparer.Ordinal);

        public long KeySequence { get; set; }

        public int WriteCount { get; set; }

        public int CreateCount { get; set; }
    }

    private sealed class Job(string id, EntityKind kind, ICanonicalRecord record, string? correlation, DateTimeOffset submittedAt)
    {
        public string Id { get; } = id;

        public EntityKind Kind { get; } = kind;

        public ICanonicalRecord Record { get; } = record;

        public string? Correlation { get; } = correlation;

        public DateTimeOffset SubmittedAt { get; } = submittedAt;

        public WriteJobState State { get; set; }

        public string? TargetKey { get; set; }

        public ICanonicalRecord? ReadBack { get; set; }

        public string? Error { get; set; }
    }
}
