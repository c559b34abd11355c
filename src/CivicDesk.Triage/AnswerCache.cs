using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage;

/// <summary>
/// Recently given answers (a place, an urgency verdict, a service rule match), keyed by the words that produced them,
/// so the same street or phrase in another message reuses one immutable instance instead of allocating it again: streets
/// and safety phrases repeat (a council's messages name a few thousand streets), and triage's hot path is meant to
/// allocate nothing. Direct-mapped and bounded (a new key replaces the old one in its slot); shared by all threads, as
/// an entry is written whole and never changed (a race makes two equal answers and keeps one).
/// </summary>
internal sealed class AnswerCache<T>
    where T : class
{
    private const int Size = 4096;

    private readonly Entry?[] _entries = new Entry?[Size];

    private sealed record Entry(int Kind, string Key, T Value);

    /// <summary>The answer stored for (<paramref name="kind"/>, <paramref name="key"/>), if any; <paramref name="slot"/> is where to <see cref="Add"/> one.</summary>
    public bool TryGet(int kind, ReadOnlySpan<char> key, out T value, out int slot)
    {
        slot = (int)(StableHash.Finish(StableHash.Combine(StableHash.Hash(key, 0xA45), (uint)kind)) & (Size - 1));
        if (Volatile.Read(ref _entries[slot]) is { } entry && entry.Kind == kind && key.SequenceEqual(entry.Key))
        {
            value = entry.Value;
            return true;
        }

        value = null!;
        return false;
    }

    public void Add(int slot, int kind, string key, T value) => Volatile.Write(ref _entries[slot], new Entry(kind, key, value));
}
