using System.Globalization;
using Connectors.Abstractions;

namespace Connectors.Core.Tests.Engine;

/// <summary>Seeded, deterministic canonical records for engine tests.</summary>
internal static class TestData
{
    private static readonly string[] Countries = ["NL", "FR", "BE", "DE", "CZ"];
    private static readonly string[] Cities = ["Amsterdam", "Lyon", "Gent", "Köln", "Brno"];

    public static Order Order(int number, Random random, string? customerKey = null)
    {
        var lines = Enumerable.Range(1, 1 + random.Next(4)).Select(i =>
        {
            var quantity = 1 + random.Next(5);
            var price = Math.Round((decimal)random.NextDouble() * 100m, 2);
            return new OrderLine
            {
                ExternalId = "L" + i.ToString(CultureInfo.InvariantCulture),
                Sku = "SKU-" + random.Next(500).ToString("D3", CultureInfo.InvariantCulture),
                Name = "Item " + i.ToString(CultureInfo.InvariantCulture),
                Quantity = quantity,
                UnitPrice = price,
                TaxRate = 0.21m,
                Total = quantity * price,
            };
        }).ToList();
        var net = lines.Sum(l => l.Total);
        var tax = Math.Round(net * 0.21m, 2);
        var country = random.Next(Countries.Length);
        return new Order
        {
            Number = "SO-" + number.ToString("D5", CultureInfo.InvariantCulture),
            Kind = OrderKind.Sales,
            Status = OrderStatus.Open,
            Currency = "EUR",
            CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(number),
            Customer = new PartyReference
            {
                ExternalId = customerKey,
                Email = $"buyer{number}@example.com",
                Name = "Buyer " + number.ToString(CultureInfo.InvariantCulture),
            },
            ShippingAddress = new Address
            {
                Line1 = "Street " + random.Next(1, 200).ToString(CultureInfo.InvariantCulture),
                City = Cities[country],
                CountryCode = Countries[country],
            },
            Lines = lines,
            Totals = new Totals { Net = net, Tax = tax, Gross = net + tax },
        };
    }

    public static Customer Customer(int number)
        => new()
        {
            Kind = number % 3 == 0 ? PartyKind.Person : PartyKind.Company,
            Name = "Customer " + number.ToString(CultureInfo.InvariantCulture),
            Email = $"customer{number}@example.com",
            Phone = "+31 20 555 " + number.ToString("D4", CultureInfo.InvariantCulture),
            BillingAddress = new Address { Line1 = "Dam " + number.ToString(CultureInfo.InvariantCulture), City = "Amsterdam", CountryCode = "nl" },
        };

    /// <summary>Changes an order as a shop user would (status and a line quantity).</summary>
    public static Order Change(Order order, int round)
        => order with
        {
            Status = OrderStatus.Processing,
            Lines = [.. order.Lines.Select((l, i) => i == 0 ? l with { Quantity = l.Quantity + round, Total = (l.Quantity + round) * l.UnitPrice } : l)],
        };
}

/// <summary>A crash injected by a test at a named step of the engine.</summary>
internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
    {
    }

    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Crashes the engine at the n-th, 2n-th… occurrence of one step, a bounded number of times.</summary>
internal sealed class CrashAtStepProbe(SyncStep step, int every, int maxCrashes) : ISyncProbe
{
    private int _seen;

    public int Crashes { get; private set; }

    public void OnStep(SyncStep syncStep, SyncStepContext context)
    {
        if (syncStep != step || Crashes >= maxCrashes)
        {
            return;
        }

        if (++_seen % every == 0)
        {
            Crashes++;
            throw new SimulatedCrashException($"Crash injected at {syncStep} ({context.SourceKey}).");
        }
    }
}

/// <summary>Crashes at any step with a seeded probability and counts how often each step crashed.</summary>
internal sealed class RandomCrashProbe(Random random, Func<SyncStep, double> probability) : ISyncProbe
{
    public Dictionary<SyncStep, int> Crashes { get; } = [];

    public bool Enabled { get; set; } = true;

    public void OnStep(SyncStep syncStep, SyncStepContext context)
    {
        if (Enabled && random.NextDouble() < probability(syncStep))
        {
            Crashes[syncStep] = Crashes.GetValueOrDefault(syncStep) + 1;
            throw new SimulatedCrashException($"Crash injected at {syncStep}.");
        }
    }
}
