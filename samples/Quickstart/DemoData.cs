using System.Globalization;
using Connectors.Abstractions;

namespace Quickstart;

/// <summary>Deterministic demo data for the shop: customers and their orders, one of them with a bad line.</summary>
internal static class DemoData
{
    private static readonly (string City, string Country)[] Places =
        [("Amsterdam", "nl"), ("Lyon", "FR"), ("Gent", "BE"), ("Brno", "CZ"), ("Köln", "DE")];

    public static IEnumerable<Customer> Customers(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var place = Places[i % Places.Length];
            yield return new Customer
            {
                Kind = i % 4 == 0 ? PartyKind.Person : PartyKind.Company,
                Name = i % 4 == 0 ? $"Person {i}" : $"Company {i} BV",
                CompanyName = i % 4 == 0 ? null : $"Company {i} BV",
                Email = $"buyer{i}@example.com",
                Phone = "+31 20 555 " + i.ToString("D4", CultureInfo.InvariantCulture),
                BillingAddress = new Address { Line1 = $"Main street {i}", City = place.City, CountryCode = place.Country },
            };
        }
    }

    public static IEnumerable<Order> Orders(int count, IReadOnlyList<string> customerKeys)
    {
        var random = new Random(2026);
        for (var i = 1; i <= count; i++)
        {
            var lines = Enumerable.Range(1, 1 + random.Next(3)).Select(n =>
            {
                var quantity = 1 + random.Next(4);
                var price = Math.Round(5m + (decimal)random.NextDouble() * 95m, 2);
                return new OrderLine
                {
                    ExternalId = $"{i}-{n}",
                    Sku = "SKU-" + random.Next(1, 40).ToString("D3", CultureInfo.InvariantCulture),
                    Name = $"Article {n}",
                    Quantity = quantity,
                    UnitPrice = price,
                    TaxRate = 0.21m,
                    Total = quantity * price,
                };
            }).ToList();

            // One order carries a line the ERP cannot take: the flow's validation sends it to the journal.
            if (i == 42)
            {
                lines[0] = lines[0] with { Quantity = -1, Total = -lines[0].UnitPrice };
            }

            var net = lines.Sum(l => l.Total);
            var tax = Math.Round(net * 0.21m, 2);
            yield return new Order
            {
                Number = "WEB-" + (1000 + i).ToString(CultureInfo.InvariantCulture),
                Kind = OrderKind.Sales,
                Status = OrderStatus.Processing,
                Currency = "EUR",
                PricesIncludeTax = false,
                Customer = new PartyReference { ExternalId = customerKeys[i % customerKeys.Count] },
                Lines = lines,
                Totals = new Totals { Net = net, Tax = tax, Gross = net + tax },
            };
        }
    }
}
