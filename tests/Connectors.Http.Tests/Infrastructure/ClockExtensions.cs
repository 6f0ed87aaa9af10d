using Connectors.Testing;

namespace Connectors.Http.Tests;

internal static class ClockExtensions
{
    /// <summary>
    /// Awaits the work with <see cref="VirtualClock.AutoAdvance"/> on, so the clock jumps to the next due timer whenever
    /// the work is waiting; turns it off again so the rest of the test moves time only by hand.
    /// </summary>
    public static async Task<T> RunAsync<T>(this VirtualClock clock, Task<T> work)
    {
        clock.AutoAdvance = true;
        try
        {
            return await work;
        }
        finally
        {
            clock.AutoAdvance = false;
        }
    }

    /// <inheritdoc cref="RunAsync{T}(VirtualClock, Task{T})"/>
    public static async Task RunAsync(this VirtualClock clock, Task work)
    {
        clock.AutoAdvance = true;
        try
        {
            await work;
        }
        finally
        {
            clock.AutoAdvance = false;
        }
    }
}
