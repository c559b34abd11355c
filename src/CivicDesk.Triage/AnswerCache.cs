using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage;

/// <summary>
/// Recently given answers (a place, an urgency verdict, a service rule match), keyed by the words that produced them,
/// so the same street or phrase in another message reuses one immutable instance instead of allocating it again: streets
/// and safety phrases repeat (a council's messages name a few thousand streets), and triage's hot path is meant to
/// allocate nothing. Four-way set-associative and bounded (a new key replaces an old one in its set); shared by all threads (16,384 entries, under 2 MB full), as
/// an entry is written whole and never changed (a race makes two equal answers and keeps one).
/// </summary>
internal sealed class AnswerCache<T>
    where T : class
{
    private const int Size = 16_384;
    private const int Ways = 4;

    private readonly Entry?[] _entries = new Entry?[Size];

    private sealed record Entry(int Kind, string Key, T Value);

    /// <summary>The answer stored for (<paramref name="kind"/>, <paramref name="key"/>), if any; <paramref name="slot"/> is where to <see cref="Add"/> one.</summary>
    public bool TryGet(int kind, ReadOnlySpan<char> key, out T value, out int slot)
    {
        // Four ways: a key may sit in any slot of its set, so popular keys that hash alike do not evict each other.
        var hash = StableHash.Finish(StableHash.Combine(StableHash.Hash(key, 0xA45), (uint)kind));
        var first = (int)(hash & (Size - Ways));
        slot = -1;
        for (var i = first; i < first + Ways; i++)
        {
            var entry = Volatile.Read(ref _entries[i]);
            if (entry is null)
            {
                slot = slot < 0 ? i : slot;
            }
            else if (entry.Kind == kind && key.SequenceEqual(entry.Key))
            {
                value = entry.Value;
                return true;
            }
        }

        // All taken: replace the one two bits of the hash name (the same key always evicts the same way).
        slot = slot >= 0 ? slot : first + (int)(hash >> 30);
        value = null!;
        return false;
    }

    public void Add(int slot, int kind, string key, T value) => Volatile.Write(ref _entries[slot], new Entry(kind, key, value));
}
