using System.Text.Json;
using Microsoft.Playwright;

namespace CivicDesk.BrowserTests;

/// <summary>Runs axe-core (served by the app from npm) on the current page: WCAG 2.0/2.1/2.2 A and AA rules.</summary>
public static class Axe
{
    public sealed record Violation(string Id, string Impact, string Help, int Nodes, string FirstTarget);

    public static async Task<IReadOnlyList<Violation>> SeriousOrCriticalAsync(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Url = "/lib/axe/axe.min.js" });
        var json = await page.EvaluateAsync<JsonElement>(
            """
            async () => {
              const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa'] } });
              return r.violations.map(v => ({ id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length,
                                             target: v.nodes.length ? String(v.nodes[0].target) : '' }));
            }
            """);
        return json.EnumerateArray()
            .Select(v => new Violation(v.GetProperty("id").GetString()!, v.GetProperty("impact").GetString()!, v.GetProperty("help").GetString()!,
                v.GetProperty("nodes").GetInt32(), v.GetProperty("target").GetString()!))
            .Where(v => v.Impact is "serious" or "critical")
            .ToList();
    }

    public static string Describe(IEnumerable<Violation> violations) =>
        string.Join("\n", violations.Select(v => $"{v.Impact} {v.Id}: {v.Help} ({v.Nodes} nodes, e.g. {v.FirstTarget})"));
}
