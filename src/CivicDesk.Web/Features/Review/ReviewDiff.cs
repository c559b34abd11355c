using DiffPlex;
using DiffPlex.Chunkers;

namespace CivicDesk.Web.Features.Review;

public enum DiffKind
{
    Same,
    Removed,
    Added,
}

public sealed record DiffSegment(DiffKind Kind, string Text);

/// <summary>
/// Word-level difference between what a trainee wrote and what the reviewer sent (DiffPlex), as segments a page
/// renders with &lt;del&gt; and &lt;ins&gt; (Razor encodes each segment's text).
/// </summary>
public static class ReviewDiff
{
    private static readonly IChunker Words = new DelimiterChunker([' ', '\n', '\t', '.', ',', '!', '?', ';', ':', '(', ')']);

    public static IReadOnlyList<DiffSegment> Compare(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var result = Differ.Instance.CreateDiffs(before.ReplaceLineEndings("\n"), after.ReplaceLineEndings("\n"), false, false, Words);
        var segments = new List<DiffSegment>();
        var a = 0;
        void Add(DiffKind kind, IEnumerable<string> pieces)
        {
            var text = string.Concat(pieces);
            if (text.Length == 0)
            {
                return;
            }

            if (segments.Count > 0 && segments[^1].Kind == kind)
            {
                segments[^1] = segments[^1] with { Text = segments[^1].Text + text };
            }
            else
            {
                segments.Add(new DiffSegment(kind, text));
            }
        }

        foreach (var block in result.DiffBlocks)
        {
            Add(DiffKind.Same, result.PiecesOld.Skip(a).Take(block.DeleteStartA - a));
            Add(DiffKind.Removed, result.PiecesOld.Skip(block.DeleteStartA).Take(block.DeleteCountA));
            Add(DiffKind.Added, result.PiecesNew.Skip(block.InsertStartB).Take(block.InsertCountB));
            a = block.DeleteStartA + block.DeleteCountA;
        }

        Add(DiffKind.Same, result.PiecesOld.Skip(a));
        return segments;
    }
}
