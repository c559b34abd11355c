namespace CivicDesk.Triage.Tests;

public sealed class PhraseLexiconTests
{
    [Fact]
    public void Lexicon_SameWordAndItsPluralUnderOneTag_IsRejected() =>
        Should.Throw<ArgumentException>(() => new PhraseLexicon<string>([("drain", "a", 1), ("drains", "a", 1)]));

    [Fact]
    public void Lexicon_SameWordUnderTwoTags_IsAllowed() =>
        new PhraseLexicon<string>([("dead", "trees", 1), ("dead", "litter", 1)]).Entries.Count.ShouldBe(2);

    [Fact]
    public void Lexicon_PhraseWithoutWords_IsRejected() =>
        Should.Throw<ArgumentException>(() => new PhraseLexicon<string>([("--", "a", 1)]));

    [Theory]
    [InlineData("the drains are blocked", 1)]
    [InlineData("bushes everywhere", 1)]
    [InlineData("drainage", 0)]
    [InlineData("a street light and a street lights", 2)]
    public void Match_FindsWholeWordsAndPlurals(string text, int expected)
    {
        var lexicon = new PhraseLexicon<string>([("drain", "d", 1), ("bush", "t", 1), ("street light", "l", 1)]);
        var matches = new List<PhraseMatch<string>>();

        lexicon.Match(NormalisedText.Create(text), matches);

        matches.Count.ShouldBe(expected);
    }

    [Fact]
    public void Lexicons_OfTheEngine_AreWellFormed()
    {
        // Building them runs the same checks (no plural twins, no empty phrases); the engine's static state depends on it.
        var lexicons = new[] { CategoryLexicon.Entries(), KindLexicon.Entries(), SentimentLexicon.Entries() };

        foreach (var entries in lexicons)
        {
            var lexicon = new PhraseLexicon<string>(entries);
            lexicon.Entries.ShouldAllBe(e => e.Weight > 0 && e.Words.Length > 0);
        }

        CategoryLexicon.Entries().Select(e => e.Tag).Distinct().ShouldAllBe(tag => TriageLabels.Categories.Contains(tag));
        KindLexicon.Entries().Select(e => e.Tag).Distinct().ShouldAllBe(tag => tag == KindLexicon.Thanks || TriageLabels.Kinds.Contains(tag));
    }
}
