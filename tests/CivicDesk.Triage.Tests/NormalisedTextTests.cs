namespace CivicDesk.Triage.Tests;

public sealed class NormalisedTextTests
{
    private static string[] Words(NormalisedText text) => [.. Enumerable.Range(0, text.Count).Select(i => text.Word(i).ToString())];

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n\t ")]
    [InlineData("!!! ... ???")]
    public void Create_NoWords_GivesNoTokens(string? input) =>
        NormalisedText.Create(input).Count.ShouldBe(0);

    [Fact]
    public void Create_SplitsWordsInLowerCaseAndKeepsTheWritersCase()
    {
        var text = NormalisedText.Create("Pothole on DOG Lane, again!");

        Words(text).ShouldBe(["pothole", "on", "dog", "lane", "again"]);
        text.Slice(2, 3).ShouldBe("DOG Lane");
    }

    [Fact]
    public void Create_FullWidthAndStyledLetters_ReadAsPlainLetters()
    {
        Words(NormalisedText.Create("ｐｏｔｈｏｌｅ")).ShouldBe(["pothole"]);
        Words(NormalisedText.Create("𝐁𝐫𝐨𝐤𝐞𝐧 𝐥𝐢𝐠𝐡𝐭")).ShouldBe(["broken", "light"]);
    }

    [Fact]
    public void Create_CurlyApostrophe_KeepsContractionWhole() =>
        Words(NormalisedText.Create("It isn’t fixed")).ShouldBe(["it", "isn't", "fixed"]);

    [Fact]
    public void Create_HyphenSplitsWords() =>
        Words(NormalisedText.Create("fly-tipping")).ShouldBe(["fly", "tipping"]);

    [Fact]
    public void Create_EmojiAndInvisibleCharacters_AreNotWords() =>
        Words(NormalisedText.Create("🚧 pot\u200Bhole 😡👍🏽 here")).ShouldBe(["pothole", "here"]);

    [Fact]
    public void Create_LoneSurrogate_DoesNotThrow() =>
        Words(NormalisedText.Create("drain \uD83D blocked \uDE00")).ShouldBe(["drain", "blocked"]);

    [Fact]
    public void Create_LowerHasTheSameLengthAsText()
    {
        var text = NormalisedText.Create("İSTANBUL Straße ΣΑΣ ǅ");
        text.Lower.Length.ShouldBe(text.Text.Length);
    }

    [Fact]
    public void Create_MarksTheFirstWordOfEachSentence()
    {
        var text = NormalisedText.Create("Bins not collected. When will they come?\nThanks");

        text.Tokens.Where(t => t.StartsSentence).Select(t => text.Text.Substring(t.Start, t.Length)).ShouldBe(["Bins", "When", "Thanks"]);
    }

    [Fact]
    public void Create_VeryLongText_IsCutAtMaxLength()
    {
        var text = NormalisedText.Create(string.Concat(Enumerable.Repeat("pothole ", 10_000)));

        text.Text.Length.ShouldBe(NormalisedText.MaxLength);
        text.Count.ShouldBe(NormalisedText.MaxLength / "pothole ".Length);
    }

    [Fact]
    public void Create_CutDoesNotSplitASurrogatePair()
    {
        var input = new string('a', NormalisedText.MaxLength - 1) + "😀 tail";

        var text = NormalisedText.Create(input);

        char.IsHighSurrogate(text.Text[^1]).ShouldBeFalse();
    }
}
