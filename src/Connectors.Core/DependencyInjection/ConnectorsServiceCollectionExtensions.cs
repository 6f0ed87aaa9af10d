using Connectors.Abstractions;
using Connectors.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Connectors in a service collection.</summary>
public static class ConnectorsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the sync engine, the journal service, a connection registry and in-memory stores (replace them with
    /// <c>UseSqlite(path)</c> from Connectors.Storage.Sqlite for anything that must survive a restart).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to add flows, connections and stores.</returns>
    public static IConnectorsBuilder AddConnectors(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<SyncEngineOptions>();
        services.TryAddSingleton<IIdMapStore, InMemoryIdMapStore>();
        services.TryAddSingleton<IIntentStore, InMemoryIntentStore>();
        services.TryAddSingleton<ICheckpointStore, InMemoryCheckpointStore>();
        services.TryAddSingleton<IJournalStore, InMemoryJournalStore>();
        services.TryAddSingleton<ILeaseStore, InMemoryLeaseStore>();
        services.TryAddSingleton<ITranslationTableStore, InMemoryTranslationTableStore>();
        services.TryAddSingleton<IWebhookInbox, InMemoryWebhookInbox>();
        services.TryAddSingleton<ICredentialStore>(sp => new InMemoryCredentialStore(
            sp.GetService<ISecretProtector>() ?? throw new InvalidOperationException(
                "The credential store needs an ISecretProtector: register one, for example services.AddSingleton<ISecretProtector>(AesGcmSecretProtector.FromEnvironment()).")));
        services.TryAddSingleton(sp => new SyncStores
        {
            IdMap = sp.GetRequiredService<IIdMapStore>(),
            Intents = sp.GetRequiredService<IIntentStore>(),
            Checkpoints = sp.GetRequiredService<ICheckpointStore>(),
            Journal = sp.GetRequiredService<IJournalStore>(),
            Leases = sp.GetRequiredService<ILeaseStore>(),
            TranslationTables = sp.GetRequiredService<ITranslationTableStore>(),
        });
        services.TryAddSingleton(sp => new FlowRegistry(sp.GetServices<FlowDefinition>()));
        services.TryAddSingleton<ConnectionRegistry>(sp =>
        {
            var registry = new ConnectionRegistry();
            foreach (var registration in sp.GetServices<ConnectionRegistration>())
            {
                registry.RegisterFactory(registration.Name, id => registration.Factory(sp, id));
            }

            return registry;
        });
        services.TryAddSingleton<IConnectionResolver>(sp => sp.GetRequiredService<ConnectionRegistry>());
        services.TryAddSingleton(sp => new SyncEngine(
            sp.GetRequiredService<FlowRegistry>(),
            sp.GetRequiredService<IConnectionResolver>(),
            sp.GetRequiredService<SyncStores>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Options.IOptions<SyncEngineOptions>>().Value,
            sp.GetService<ILogger<SyncEngine>>(),
            sp.GetService<ISyncProbe>()));
        services.TryAddSingleton(sp => new JournalService(
            sp.GetRequiredService<SyncEngine>(), sp.GetRequiredService<IJournalStore>(), sp.GetRequiredService<TimeProvider>()));
        return new ConnectorsBuilder(services);
    }

    /// <summary>Adds Connectors and configures it.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adds flows, connections and stores.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddConnectors(this IServiceCollection services, Action<IConnectorsBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(services.AddConnectors());
        return services;
    }

    /// <summary>Adds a flow.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="flow">The flow, built with <see cref="Flow.Create{TSource, TTarget}(string)"/>.</param>
    /// <returns>The builder.</returns>
    public static IConnectorsBuilder AddFlow(this IConnectorsBuilder builder, FlowDefinition flow)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(flow);
        builder.Services.AddSingleton(flow);
        return builder;
    }

    /// <summary>
    /// Adds a connection name whose connector is created, per tenant, by a factory. For tenants added while the process
    /// runs, register connectors on <see cref="ConnectionRegistry"/> or supply your own <see cref="IConnectionResolver"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The connection's name, as flows refer to it.</param>
    /// <param name="factory">Creates the connector of a tenant's connection.</param>
    /// <returns>The builder.</returns>
    public static IConnectorsBuilder AddConnection(
        this IConnectorsBuilder builder, string name, Func<IServiceProvider, ConnectionId, IConnector> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddSingleton(new ConnectionRegistration(name, factory));
        return builder;
    }

    /// <summary>Configures the engine's options.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder.</returns>
    public static IConnectorsBuilder ConfigureEngine(this IConnectorsBuilder builder, Action<SyncEngineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    private sealed class ConnectorsBuilder(IServiceCollection services) : IConnectorsBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

internal sealed record ConnectionRegistration(string Name, Func<IServiceProvider, ConnectionId, IConnector> Factory);
