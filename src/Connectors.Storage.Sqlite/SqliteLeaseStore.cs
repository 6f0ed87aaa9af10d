using Connectors.Abstractions;
using Connectors.Storage.Sqlite.Internal;

namespace Connectors.Storage.Sqlite;

/// <summary>
/// An <see cref="ILeaseStore"/> in a SQLite database, shared by every process using the file. Each operation is one
/// conditional statement. A lease is held until its <see cref="Lease.ExpiresAt"/> (exclusive). Every acquisition that is not
/// an extension by the current, unexpired holder takes a larger fencing number; numbers keep growing after a release.
/// Releasing needs the owner and fencing number to match (an expired lease nobody took since can still be released).
/// </summary>
public sealed class SqliteLeaseStore : ILeaseStore
{
    private readonly SqliteDatabase _db;

    /// <summary>Creates a store over the database the options name; the schema is created or migrated on first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public SqliteLeaseStore(SqliteStoreOptions options)
        : this(new SqliteDatabase(options))
    {
    }

    internal SqliteLeaseStore(SqliteDatabase db) => _db = db;

    /// <inheritdoc />
    public Task<Lease?> TryAcquireAsync(
        string tenantId, string resource, string owner, DateTimeOffset now, TimeSpan duration,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(resource);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var expiresAt = now + duration;
        return _db.RunAsync(
            async connection =>
            {
                // In an upsert's SET, every expression sees the row as it was, so the fence test reads the old owner.
                using var command = Sql.Command(
                    connection, null,
                    "INSERT INTO leases (tenant_id, resource, owner, expires_at, fence) VALUES (@tenant, @resource, @owner, @expiresAt, 1) "
                    + "ON CONFLICT (tenant_id, resource) DO UPDATE SET "
                    + "fence = CASE WHEN leases.owner = excluded.owner AND leases.expires_at > @now THEN leases.fence ELSE leases.fence + 1 END, "
                    + "owner = excluded.owner, expires_at = excluded.expires_at "
                    + "WHERE leases.owner IS NULL OR leases.owner = excluded.owner OR leases.expires_at <= @now "
                    + "RETURNING fence;",
                    ("@tenant", tenantId), ("@resource", resource), ("@owner", owner), ("@expiresAt", Sql.Time(expiresAt)), ("@now", Sql.Time(now)));
                var fence = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return fence is long f
                    ? new Lease { TenantId = tenantId, Resource = resource, Owner = owner, ExpiresAt = expiresAt, Fence = f }
                    : null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Lease?> RenewAsync(Lease lease, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var expiresAt = now + duration;
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    "UPDATE leases SET expires_at = @expiresAt WHERE tenant_id = @tenant AND resource = @resource AND owner = @owner "
                    + "AND fence = @fence AND expires_at > @now;",
                    ("@tenant", lease.TenantId), ("@resource", lease.Resource), ("@owner", lease.Owner), ("@fence", lease.Fence),
                    ("@expiresAt", Sql.Time(expiresAt)), ("@now", Sql.Time(now)));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1 ? lease with { ExpiresAt = expiresAt } : null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> ReleaseAsync(Lease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return _db.RunAsync(
            async connection =>
            {
                using var command = Sql.Command(
                    connection, null,
                    "UPDATE leases SET owner = NULL WHERE tenant_id = @tenant AND resource = @resource AND owner = @owner AND fence = @fence;",
                    ("@tenant", lease.TenantId), ("@resource", lease.Resource), ("@owner", lease.Owner), ("@fence", lease.Fence));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            },
            cancellationToken);
    }
}
