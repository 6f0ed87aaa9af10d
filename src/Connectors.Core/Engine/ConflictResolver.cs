using System.Text.Json;
using System.Text.Json.Nodes;
using Connectors.Abstractions;

namespace Connectors.Core;

/// <summary>How one field group of an update was decided.</summary>
/// <param name="Field">The field group.</param>
/// <param name="OldJson">The target's current value (normalised JSON), or <see langword="null"/> when absent.</param>
/// <param name="NewJson">The value the target ends with (normalised JSON; for a conflict left to a person, the source's proposal), or <see langword="null"/> when absent.</param>
/// <param name="DecidedBy">What decided: <c>source changed</c>, <c>target changed</c>, <c>policy TargetWins</c>, <c>both changed alike</c>…</param>
/// <param name="Written">Whether the write sets the source's value for the group.</param>
public sealed record FieldDecision(string Field, string? OldJson, string? NewJson, string DecidedBy, bool Written);

/// <summary>The three-way decision for one update: what to write, what to keep, what is a conflict for a person.</summary>
internal sealed class ConflictDecision
{
    public required IReadOnlyList<FieldDecision> Fields { get; init; }

    public required IReadOnlyList<string> Conflicts { get; init; }

    public required ICanonicalRecord? Merged { get; init; }

    /// <summary>Groups the target changed and kept: their base hash is kept so the reverse flow still sees the change.</summary>
    public required IReadOnlyList<string> KeptTargetChanges { get; init; }
}

internal static class ConflictResolver
{
    public static ConflictDecision Decide(
        FlowDefinition flow, ICanonicalRecord source, HashVector sourceHashes, IdMapEntry link, ICanonicalRecord mapped, ICanonicalRecord current)
    {
        var mappedHashes = RecordHasher.Compute(mapped, flow.HashExclusions);
        var currentHashes = RecordHasher.Compute(current, flow.HashExclusions);
        var baseTarget = link.HashesB;
        var baseSource = link.HashesA;
        var sameType = flow.SourceType == flow.TargetType;
        var anySourceChange = baseSource is null || !baseSource.Equals(sourceHashes);
        var mappedJson = ToObject(mapped);
        var currentJson = ToObject(current);
        var groups = mappedHashes.Groups.Keys.Union(currentHashes.Groups.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);

        var decisions = new List<FieldDecision>();
        var conflicts = new List<string>();
        var kept = new List<string>();
        var take = new List<string>();
        foreach (var group in groups)
        {
            var m = mappedHashes.Groups.GetValueOrDefault(group);
            var t = currentHashes.Groups.GetValueOrDefault(group);
            var oldJson = Json(currentJson, group);
            var newJson = Json(mappedJson, group);
            if (string.Equals(m, t, StringComparison.Ordinal))
            {
                continue; // already equal: nothing to write, not a conflict
            }

            var sourceChanged = sameType
                ? baseSource is null || !string.Equals(sourceHashes.Groups.GetValueOrDefault(group), baseSource.Groups.GetValueOrDefault(group), StringComparison.Ordinal)
                : anySourceChange;
            var targetChanged = baseTarget is not null && baseTarget.Groups.Count > 0
                && !string.Equals(t, baseTarget.Groups.GetValueOrDefault(group), StringComparison.Ordinal);
            var policy = flow.PolicyFor(group);

            string decidedBy;
            bool write;
            if (!sourceChanged)
            {
                (write, decidedBy) = (false, targetChanged ? "target changed" : "source unchanged");
            }
            else if (policy == ConflictPolicy.CreateOnly)
            {
                (write, decidedBy) = (false, "policy CreateOnly");
            }
            else if (policy == ConflictPolicy.NeverBlank && m is null)
            {
                (write, decidedBy) = (false, "policy NeverBlank: the source value is blank");
            }
            else if (!targetChanged)
            {
                (write, decidedBy) = (true, "source changed");
            }
            else
            {
                switch (policy)
                {
                    case ConflictPolicy.SourceWins:
                    case ConflictPolicy.NeverBlank:
                        (write, decidedBy) = (true, $"both changed: policy {policy}");
                        break;
                    case ConflictPolicy.TargetWins:
                        (write, decidedBy) = (false, "both changed: policy TargetWins");
                        break;
                    case ConflictPolicy.LastWriterWins:
                        var sourceAt = source.UpdatedAt;
                        var targetAt = current.UpdatedAt;
                        write = sourceAt is not null && (targetAt is null || sourceAt.Value > targetAt.Value + flow.ClockSkewTolerance);
                        decidedBy = write
                            ? "both changed: policy LastWriterWins (source later)"
                            : "both changed: policy LastWriterWins (target later or within the clock-skew tolerance)";
                        break;
                    default:
                        write = false;
                        decidedBy = "both changed: policy Manual";
                        conflicts.Add(group);
                        break;
                }
            }

            // A conflict for a person shows the source's proposal; otherwise the value the target ends with.
            var shown = write || conflicts.Contains(group) ? newJson : oldJson;
            decisions.Add(new FieldDecision(group, oldJson, shown, decidedBy, write));
            if (write)
            {
                take.Add(group);
            }
            else if (targetChanged)
            {
                kept.Add(group);
            }
        }

        ICanonicalRecord? merged = null;
        if (conflicts.Count == 0 && take.Count > 0)
        {
            foreach (var group in take)
            {
                if (mappedJson[group] is { } value)
                {
                    currentJson[group] = value.DeepClone();
                }
                else
                {
                    currentJson.Remove(group);
                }
            }

            merged = (ICanonicalRecord)currentJson.Deserialize(CanonicalJson.GetTypeInfo(flow.TargetType))!;
        }

        return new ConflictDecision { Fields = decisions, Conflicts = conflicts, Merged = merged, KeptTargetChanges = kept };
    }

    /// <summary>The target's new base: read-back hashes, except groups the target changed and kept, whose old base stays.</summary>
    public static HashVector NewTargetBase(HashVector readBack, HashVector? oldBase, IReadOnlyList<string> kept)
    {
        if (kept.Count == 0)
        {
            return readBack;
        }

        var groups = readBack.Groups.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var group in kept)
        {
            if (oldBase?.Groups.TryGetValue(group, out var hash) == true)
            {
                groups[group] = hash;
            }
            else
            {
                groups.Remove(group);
            }
        }

        return new HashVector(groups);
    }

    private static JsonObject ToObject(ICanonicalRecord record)
        => JsonSerializer.SerializeToNode(record, CanonicalJson.GetTypeInfo(record.GetType()))!.AsObject();

    /// <summary>JSON for people: '+', accents and quotes shown as they are.</summary>
    internal static readonly JsonSerializerOptions Display = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static string? Json(JsonObject record, string group) => record[group]?.ToJsonString(Display);
}
