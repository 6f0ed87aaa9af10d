namespace Connectors.Http;

/// <summary>A waiter queued for its budget.</summary>
internal sealed class Waiter(string tenant, int cost, DateTimeOffset since)
{
    public string Tenant { get; } = tenant;

    public int Cost { get; } = cost;

    public DateTimeOffset Since { get; } = since;

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The state of one budget key. Every member is used under <see cref="Gate"/>.</summary>
internal sealed class BudgetState(RateBudgetKey key, DateTimeOffset now)
{
    private readonly Dictionary<string, Queue<Waiter>> _queues = new(StringComparer.Ordinal);

    public Lock Gate { get; } = new();

    public RateBudgetKey Key { get; } = key;

    public List<Limiter> Limiters { get; } = [];

    public DateTimeOffset BlockedUntil { get; set; }

    public DateTimeOffset LastUsed { get; set; } = now;

    public bool Evicted { get; set; }

    public ITimer? Timer { get; set; }

    /// <summary>Tenants with queued waiters, in turn order.</summary>
    public Queue<string> Ring { get; } = new();

    public TimeSpan WaitFor(DateTimeOffset now, double cost)
    {
        var wait = BlockedUntil - now;
        foreach (var limiter in Limiters)
        {
            var until = limiter.TimeUntil(now, cost);
            if (until > wait)
            {
                wait = until;
            }
        }

        return wait;
    }

    public void Take(DateTimeOffset now, double cost)
    {
        foreach (var limiter in Limiters)
        {
            limiter.Take(now, cost);
        }
    }

    public void Enqueue(Waiter waiter)
    {
        if (!_queues.TryGetValue(waiter.Tenant, out var queue))
        {
            queue = new Queue<Waiter>();
            _queues[waiter.Tenant] = queue;
            Ring.Enqueue(waiter.Tenant);
        }

        queue.Enqueue(waiter);
    }

    /// <summary>The next waiter in turn, skipping cancelled ones.</summary>
    public bool TryPeek(out Waiter waiter)
    {
        while (Ring.Count > 0)
        {
            var tenant = Ring.Peek();
            var queue = _queues[tenant];
            while (queue.Count > 0 && queue.Peek().Completion.Task.IsCompleted)
            {
                queue.Dequeue();
            }

            if (queue.Count == 0)
            {
                Ring.Dequeue();
                _queues.Remove(tenant);
                continue;
            }

            waiter = queue.Peek();
            return true;
        }

        waiter = null!;
        return false;
    }

    /// <summary>Removes the waiter in turn and moves its tenant to the back of the ring.</summary>
    public void DequeueHead()
    {
        var tenant = Ring.Dequeue();
        var queue = _queues[tenant];
        queue.Dequeue();
        if (queue.Count > 0)
        {
            Ring.Enqueue(tenant);
        }
        else
        {
            _queues.Remove(tenant);
        }
    }

    public void CancelAll()
    {
        foreach (var queue in _queues.Values)
        {
            foreach (var waiter in queue)
            {
                waiter.Completion.TrySetCanceled();
            }
        }

        _queues.Clear();
        Ring.Clear();
        Timer?.Dispose();
        Timer = null;
    }
}
