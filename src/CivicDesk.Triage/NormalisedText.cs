using System.Globalization;
using System.Text;

namespace CivicDesk.Triage;

/// <summary>One word of a <see cref="NormalisedText"/>: where it lies and whether it opens a sentence.</summary>
/// <param name="Start">Offset of the first character in <see cref="NormalisedText.Text"/>.</param>
/// <param name="Length">Number of characters.</param>
/// <param name="StartsSentence">True for the first word of the text and the first word after ".", "!", "?", ";" or a line break.</param>
public readonly record struct TextToken(int Start, int Length, bool StartsSentence)
{
    /// <summary>Offset just past the last character.</summary>
    public int End => Start + Length;
}

/// <summary>
/// Text prepared for matching: Unicode NFKC (so full-width letters, ligatures and styled "𝐁𝐨𝐥𝐝" letters read as plain
/// ones), typographic apostrophes and dashes folded to ASCII, invisible characters removed, and split into words.
/// <see cref="Text"/> keeps the writer's case for showing evidence; <see cref="Lower"/> has the same length and is
/// what lexicons match against, so one token's offsets serve both.
/// </summary>
public sealed class NormalisedText
{
    /// <summary>Longer input is cut here: triage reads the start of a message, and the cut bounds the work per message.</summary>
    public const int MaxLength = 20_000;

    private readonly TextToken[] _tokens;

    private NormalisedText(string text, string lower, TextToken[] tokens)
    {
        Text = text;
        Lower = lower;
        _tokens = tokens;
    }

    /// <summary>The normalised text in its original case.</summary>
    public string Text { get; }

    /// <summary>The normalised text in lower case (invariant culture); same length as <see cref="Text"/>.</summary>
    public string Lower { get; }

    /// <summary>The words, in order.</summary>
    public IReadOnlyList<TextToken> Tokens => _tokens;

    /// <summary>Number of words.</summary>
    public int Count => _tokens.Length;

    /// <summary>Word <paramref name="index"/>, lower case, without copying.</summary>
    public ReadOnlySpan<char> Word(int index) => Lower.AsSpan(_tokens[index].Start, _tokens[index].Length);

    /// <summary>The text from the start of word <paramref name="first"/> to the end of word <paramref name="last"/>, as written.</summary>
    public string Slice(int first, int last) => Text[_tokens[first].Start.._tokens[last].End];

    /// <summary>True when a sentence boundary lies between word <paramref name="first"/> and word <paramref name="last"/> (inclusive of the latter's start).</summary>
    public bool CrossesSentence(int first, int last)
    {
        for (var i = first + 1; i <= last; i++)
        {
            if (_tokens[i].StartsSentence)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Normalises and tokenises <paramref name="text"/>; null or empty gives an empty text with no words.</summary>
    public static NormalisedText Create(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return new NormalisedText("", "", []);
        }

        var clean = Fold(text.Length > MaxLength ? Cut(text) : text);
        var lower = clean.ToLowerInvariant();
        return new NormalisedText(clean, lower, Tokenise(lower));
    }

    private static string Cut(string text)
    {
        var end = MaxLength;
        if (char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }

    /// <summary>NFKC, then ASCII apostrophes and hyphens, and no invisible characters. Lone surrogates (which NFKC rejects) become U+FFFD.</summary>
    private static string Fold(string text)
    {
        var valid = ReplaceLoneSurrogates(text);
        var nfkc = valid.IsNormalized(NormalizationForm.FormKC) ? valid : valid.Normalize(NormalizationForm.FormKC);
        StringBuilder? sb = null;
        for (var i = 0; i < nfkc.Length; i++)
        {
            var c = nfkc[i];
            char? replacement = c switch
            {
                '\u2018' or '\u2019' or '\u02BC' or '\u2032' or '`' => '\'',
                >= '\u2010' and <= '\u2015' or '\u2212' => '-',
                '\u00AD' or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' => '\0',
                _ => null,
            };
            if (replacement is null)
            {
                sb?.Append(c);
                continue;
            }

            sb ??= new StringBuilder(nfkc, 0, i, nfkc.Length);
            if (replacement != '\0')
            {
                sb.Append(replacement.Value);
            }
        }

        return sb?.ToString() ?? nfkc;
    }

    private static string ReplaceLoneSurrogates(string text)
    {
        char[]? copy = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                copy ??= text.ToCharArray();
                copy[i] = '\uFFFD';
            }
        }

        return copy is null ? text : new string(copy);
    }

    private static TextToken[] Tokenise(string lower)
    {
        var tokens = new List<TextToken>(Math.Min(lower.Length / 4 + 1, 4096));
        var sentenceStart = true;
        var i = 0;
        while (i < lower.Length)
        {
            if (!IsWordChar(lower, i, out var width))
            {
                if (lower[i] is '.' or '!' or '?' or ';' or '\n' or '\r')
                {
                    sentenceStart = true;
                }

                i += width;
                continue;
            }

            var start = i;
            i += width;
            while (i < lower.Length)
            {
                if (IsWordChar(lower, i, out width) || IsMark(lower[i]))
                {
                    i += width;
                }
                else if (lower[i] == '\'' && i + 1 < lower.Length && char.IsLetter(lower[i + 1]))
                {
                    // Keep "isn't" and "council's" whole; a quote after a word ends it.
                    i++;
                }
                else
                {
                    break;
                }
            }

            tokens.Add(new TextToken(start, i - start, sentenceStart));
            sentenceStart = false;
        }

        return [.. tokens];
    }

    private static bool IsWordChar(string s, int i, out int width)
    {
        var c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length)
        {
            width = 2;
            return char.IsLetterOrDigit(s, i);
        }

        width = 1;
        return char.IsLetterOrDigit(c);
    }

    // Combining marks NFKC could not compose stay inside the word they follow.
    private static bool IsMark(char c) =>
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
}
