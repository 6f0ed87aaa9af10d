namespace Connectors.Core;

/// <summary>The flows an application runs, by id.</summary>
public sealed class FlowRegistry
{
    private readonly Dictionary<string, FlowDefinition> _flows = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Creates a registry.</summary>
    /// <param name="flows">The flows.</param>
    /// <exception cref="ArgumentException">Two flows share an id.</exception>
    public FlowRegistry(IEnumerable<FlowDefinition> flows)
    {
        ArgumentNullException.ThrowIfNull(flows);
        foreach (var flow in flows)
        {
            Add(flow);
        }
    }

    /// <summary>Gets every flow.</summary>
    public IReadOnlyList<FlowDefinition> Flows
    {
        get
        {
            lock (_lock)
            {
                return [.. _flows.Values];
            }
        }
    }

    /// <summary>Adds a flow.</summary>
    /// <param name="flow">The flow.</param>
    /// <exception cref="ArgumentException">A flow with the same id exists.</exception>
    public void Add(FlowDefinition flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        lock (_lock)
        {
            if (!_flows.TryAdd(flow.Id, flow))
            {
                throw new ArgumentException($"A flow with id '{flow.Id}' is already registered.", nameof(flow));
            }
        }
    }

    /// <summary>Gets a flow.</summary>
    /// <param name="flowId">The flow's id.</param>
    /// <returns>The flow.</returns>
    /// <exception cref="KeyNotFoundException">No flow has that id.</exception>
    public FlowDefinition Get(string flowId)
    {
        ArgumentNullException.ThrowIfNull(flowId);
        lock (_lock)
        {
            return _flows.TryGetValue(flowId, out var flow)
                ? flow
                : throw new KeyNotFoundException(
                    $"No flow with id '{flowId}' is registered. Known flows: {string.Join(", ", _flows.Keys.Order(StringComparer.Ordinal))}.");
        }
    }
}
