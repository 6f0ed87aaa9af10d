using System.Collections.Concurrent;
using Connectors.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Connectors resilience handler and rate governor to an <see cref="IHttpClientBuilder"/>.</summary>
public static class ConnectorsHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds the <see cref="ConnectorsResilienceHandler"/> (total timeout → retry → circuit breaker → attempt timeout on
    /// the registered <see cref="TimeProvider"/>) to the client. Options are named after the client and validated at
    /// start-up. Circuit-breaker state is kept per client name, so it survives handler rotation. When
    /// <see cref="AddRateGovernor(IHttpClientBuilder, Action{RateGovernorOptions}?, Func{HttpRequestMessage, RateBudgetKey?}?)"/>
    /// is also called for the client, the governor waits before every attempt, inside the retry and outside the attempt timeout.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Configures the options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddConnectorsResilience(this IHttpClientBuilder builder, Action<ConnectorsResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = builder.Name;
        var options = builder.Services.AddOptions<ConnectorsResilienceOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<ConnectorsResilienceOptions>, ConnectorsResilienceOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ResiliencePartitionsRegistry>();
        builder.Services.Configure<ClientMarkers>(name, m => m.Resilience = true);
        builder.AddHttpMessageHandler(sp => new ConnectorsResilienceHandler(sp.GetRequiredService<ResiliencePartitionsRegistry>().Get(name)));
        return builder;
    }

    /// <summary>
    /// Makes every request of the client with a budget key wait for its budget in the process-wide
    /// <see cref="IRateGovernor"/> and feed back the vendor's rate-limit headers. With
    /// <see cref="AddConnectorsResilience"/> on the same client the governor runs inside the resilience handler (every
    /// attempt governed); otherwise a <see cref="RateGovernorHandler"/> is added.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Adds budgets to the shared <see cref="RateGovernorOptions"/>, or <see langword="null"/>.</param>
    /// <param name="keySelector">
    /// Resolves a request's budget key; <see langword="null"/> reads <see cref="ConnectorsHttpRequest.BudgetKey"/>. With the
    /// resilience handler, its <see cref="ConnectorsResilienceOptions.PartitionKeySelector"/> is used instead, so budgets
    /// and breakers are keyed the same way.
    /// </param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddRateGovernor(
        this IHttpClientBuilder builder, Action<RateGovernorOptions>? configure = null, Func<HttpRequestMessage, RateBudgetKey?>? keySelector = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = builder.Name;
        builder.Services.AddRateGovernor(configure);
        builder.Services.Configure<ClientMarkers>(name, m => m.Governor = true);
        builder.AddHttpMessageHandler(sp =>
            sp.GetRequiredService<IOptionsMonitor<ClientMarkers>>().Get(name).Resilience
                ? new PassThroughHandler()
                : new RateGovernorHandler(sp.GetRequiredService<IRateGovernor>(), keySelector));
        return builder;
    }

    /// <summary>
    /// Registers the process-wide <see cref="IRateGovernor"/> (a <see cref="RateGovernor"/> on the registered
    /// <see cref="TimeProvider"/>) and its options, validated at start-up — for connectors that call it directly, for
    /// example to feed a GraphQL cost with <see cref="IRateGovernor.ObserveCost"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adds budgets to the options, or <see langword="null"/>.</param>
    /// <returns>The same service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddRateGovernor(this IServiceCollection services, Action<RateGovernorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RateGovernorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateGovernorOptions>, RateGovernorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRateGovernor>(sp => new RateGovernor(
            sp.GetRequiredService<IOptions<RateGovernorOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<RateGovernor>>()));
        return services;
    }

    internal sealed class ClientMarkers
    {
        public bool Resilience { get; set; }

        public bool Governor { get; set; }
    }

    private sealed class PassThroughHandler : DelegatingHandler;

    private sealed class ConnectorsResilienceOptionsValidator : IValidateOptions<ConnectorsResilienceOptions>
    {
        public ValidateOptionsResult Validate(string? name, ConnectorsResilienceOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(errors.Select(e => $"Connectors resilience options of HTTP client '{name}': {e}"));
        }
    }

    private sealed class RateGovernorOptionsValidator : IValidateOptions<RateGovernorOptions>
    {
        public ValidateOptionsResult Validate(string? name, RateGovernorOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(errors.Select(e => $"Connectors rate governor options: {e}"));
        }
    }

    private sealed class ResiliencePartitionsRegistry(
        IOptionsMonitor<ConnectorsResilienceOptions> options, IOptionsMonitor<ClientMarkers> markers, TimeProvider time, IServiceProvider services)
    {
        private readonly ConcurrentDictionary<string, Lazy<ResiliencePartitions>> _partitions = new(StringComparer.Ordinal);

        public ResiliencePartitions Get(string name) =>
            _partitions.GetOrAdd(name, n => new Lazy<ResiliencePartitions>(() => new ResiliencePartitions(
                options.Get(n),
                time,
                (ILogger?)services.GetService<ILogger<ConnectorsResilienceHandler>>() ?? NullLogger.Instance,
                markers.Get(n).Governor ? services.GetRequiredService<IRateGovernor>() : null))).Value;
    }
}
