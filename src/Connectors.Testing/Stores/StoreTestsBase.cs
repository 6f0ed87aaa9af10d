using System.Diagnostics.CodeAnalysis;
using Xunit;

namespace Connectors.Testing;

/// <summary>
/// The base of every store conformance suite: a store factory, an optional "reopen" hook for durable stores, fixed
/// instants and the test's cancellation token. A test project subclasses each suite once per store implementation.
/// </summary>
/// <typeparam name="TStore">The store interface under test.</typeparam>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names follow Method_Scenario_Expected.")]
public abstract class StoreTestsBase<TStore>
    where TStore : class
{
    /// <summary>Gets a fixed instant every test starts from: 2026-01-01T00:00:00Z.</summary>
    protected DateTimeOffset T0 { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Gets the running test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates a new, empty store for one test.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<TStore> CreateStoreAsync();

    /// <summary>
    /// Opens the same state again: a durable store returns a new instance over the same file or database (as a
    /// restarted process would). The default returns the same instance, which is what a process-local (in-memory) store
    /// promises: its state lives as long as the process. Return <see langword="null"/> to skip the reopen tests.
    /// </summary>
    /// <param name="store">The store created by <see cref="CreateStoreAsync"/>.</param>
    /// <returns>A store over the same state, or <see langword="null"/>.</returns>
    protected virtual Task<TStore?> ReopenAsync(TStore store) => Task.FromResult<TStore?>(store);

    /// <summary>Reopens the store, or skips the test when it is not durable.</summary>
    /// <param name="store">The store.</param>
    /// <returns>The reopened store.</returns>
    protected async Task<TStore> ReopenOrSkipAsync(TStore store)
    {
        var reopened = await ReopenAsync(store).ConfigureAwait(false);
        Assert.SkipWhen(reopened is null, "The store is not durable: nothing survives reopening.");
        return reopened!;
    }

    /// <summary>Runs <paramref name="count"/> copies of an action at once, released together, and returns their results.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="count">How many to run.</param>
    /// <param name="action">The action, given its index.</param>
    /// <returns>The results, by index.</returns>
    protected static async Task<T[]> RunInParallelAsync<T>(int count, Func<int, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        using var start = new ManualResetEventSlim(false);
        var tasks = Enumerable.Range(0, count)
            .Select(i => Task.Run(
                async () =>
                {
                    start.Wait(Ct);
                    return await action(i).ConfigureAwait(false);
                },
                Ct))
            .ToArray();
        start.Set();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }
}
