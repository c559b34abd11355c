namespace CivicDesk.Triage.Tests;

public sealed class LibraryPurityTests
{
    [Fact]
    public void Triage_library_depends_on_no_web_or_database_framework()
    {
        var references = typeof(ITriageEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        references.ShouldNotBeEmpty();
        references.ShouldAllBe(name => !name.StartsWith("Microsoft.AspNetCore") && !name.StartsWith("Microsoft.EntityFrameworkCore")
                                       && !name.StartsWith("CivicDesk.Web") && !name.StartsWith("Microsoft.Extensions"));
    }
}
