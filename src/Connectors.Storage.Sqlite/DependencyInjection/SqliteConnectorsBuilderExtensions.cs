using Connectors.Abstractions;
using Connectors.Storage.Sqlite;
using Connectors.Storage.Sqlite.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite stores with <c>AddConnectors(…)</c>.</summary>
public static class SqliteConnectorsBuilderExtensions
{
    /// <summary>
    /// Keeps every Connectors store (ID map, intents, checkpoints, journal, translation tables, credentials, leases, webhook
    /// inbox) in one SQLite database file, replacing stores registered before. The credential store needs an
    /// <see cref="ISecretProtector"/> registered in the container.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The database file's path; created with its folder when missing.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    public static IConnectorsBuilder UseSqlite(this IConnectorsBuilder builder, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.UseSqlite(options => options.Path = path);
    }

    /// <summary>
    /// Keeps every Connectors store in one SQLite database, configured by <paramref name="configure"/>, replacing stores
    /// registered before. The options are checked here, so a wrong configuration fails at start-up. The credential store
    /// needs an <see cref="ISecretProtector"/> registered in the container.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options (<see cref="SqliteStoreOptions.Path"/> or <see cref="SqliteStoreOptions.ConnectionString"/>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The options are invalid.</exception>
    public static IConnectorsBuilder UseSqlite(this IConnectorsBuilder builder, Action<SqliteStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SqliteStoreOptions();
        configure(options);
        var database = new SqliteDatabase(options);

        var services = builder.Services;
        Replace<IIdMapStore>(services, _ => new SqliteIdMapStore(database));
        Replace<IIntentStore>(services, _ => new SqliteIntentStore(database));
        Replace<ICheckpointStore>(services, _ => new SqliteCheckpointStore(database));
        Replace<IJournalStore>(services, _ => new SqliteJournalStore(database));
        Replace<ITranslationTableStore>(services, _ => new SqliteTranslationTableStore(database));
        Replace<ILeaseStore>(services, _ => new SqliteLeaseStore(database));
        Replace<IWebhookInbox>(services, _ => new SqliteWebhookInbox(database));
        Replace<ICredentialStore>(services, sp => new SqliteCredentialStore(
            database,
            sp.GetService<ISecretProtector>() ?? throw new InvalidOperationException(
                "The SQLite credential store needs an ISecretProtector to encrypt secrets at rest, and none is registered. Register one "
                + "before resolving stores, for example services.AddSingleton<ISecretProtector>(AesGcmSecretProtector.FromEnvironment()) "
                + "(key in the CONNECTORS_SECRET_KEY environment variable) or AesGcmSecretProtector.FromKeyFile(path, createIfMissing: true).")));
        return builder;
    }

    private static void Replace<TService>(IServiceCollection services, Func<IServiceProvider, TService> factory)
        where TService : class
    {
        services.RemoveAll<TService>();
        services.AddSingleton(factory);
    }
}
