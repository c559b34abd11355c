using CivicDesk.Triage.Learning;

namespace CivicDesk.Triage;

/// <summary>
/// A fixed table from a lower-case word to a value, probed with a hash that <see cref="NormalisedText"/> computes once
/// per word (<see cref="NormalisedText.WordHash"/>), so the urgency, service, street and cue lexicons all look a word up
/// without hashing it again. Open addressing at most a quarter full, so a word that is not there (most of them) usually
/// costs one comparison of two integers. Built once and never changed, so the hash need not be randomised: its keys are
/// ours, not a sender's, and a lookup cannot make a chain longer.
/// </summary>
internal sealed class WordTable<T>
{
    private const uint Seed = 0x7EC7;

    private readonly uint[] _hashes;
    private readonly string?[] _keys;
    private readonly T[] _values;
    private readonly int _mask;

    public WordTable(IReadOnlyCollection<KeyValuePair<string, T>> entries)
    {
        var size = 16;
        while (size < entries.Count * 4)
        {
            size *= 2;
        }

        (_hashes, _keys, _values, _mask) = (new uint[size], new string?[size], new T[size], size - 1);
        foreach (var (key, value) in entries)
        {
            var hash = Hash(key);
            var i = (int)(hash & (uint)_mask);
            while (_keys[i] is { } existing)
            {
                if (string.Equals(existing, key, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Word '{key}' twice.", nameof(entries));
                }

                i = (i + 1) & _mask;
            }

            (_hashes[i], _keys[i], _values[i]) = (hash, key, value);
        }
    }

    /// <summary>The hash a word is probed with (and a prefix's, from <see cref="Running"/> and <see cref="Finish"/>).</summary>
    public static uint Hash(ReadOnlySpan<char> word) => StableHash.Hash(word, Seed);

    /// <summary>The running state before a word's first character.</summary>
    public static uint Start() => StableHash.Start(Seed);

    /// <summary>Adds one character to the running state.</summary>
    public static uint Running(uint state, char c) => StableHash.Append(state, c);

    /// <summary>The hash of the characters added so far.</summary>
    public static uint Finish(uint state) => StableHash.Finish(state);

    public bool TryGetValue(ReadOnlySpan<char> word, uint hash, out T value)
    {
        var i = (int)(hash & (uint)_mask);
        while (_keys[i] is { } key)
        {
            if (_hashes[i] == hash && word.SequenceEqual(key))
            {
                value = _values[i];
                return true;
            }

            i = (i + 1) & _mask;
        }

        value = default!;
        return false;
    }

    public bool Contains(ReadOnlySpan<char> word, uint hash) => TryGetValue(word, hash, out _);
}
