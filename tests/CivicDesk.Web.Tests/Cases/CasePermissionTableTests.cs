using CivicDesk.Web.Tests.Security;

namespace CivicDesk.Web.Tests.Cases;

public sealed class CasePermissionTableTests
{
    [Fact]
    public void Every_case_page_handler_has_a_row_in_the_permission_matrix()
    {
        // A new handler on a case page must come with a row in PermissionMatrixTests.Endpoints.
        var pages = new Dictionary<Type, string>
        {
            [typeof(Web.Features.Cases.IndexModel)] = "/cases",
            [typeof(Web.Features.Cases.CaseModel)] = "/cases/{case}",
            [typeof(Web.Features.Cases.NewModel)] = "/cases/new",
            [typeof(Web.Features.Cases.ExportModel)] = "/cases/export.",
        };
        foreach (var (type, path) in pages)
        {
            var handlers = type.GetMethods().Where(m => m.DeclaringType == type && m.Name.StartsWith("On", StringComparison.Ordinal))
                .Select(m => m.Name.Replace("Async", "", StringComparison.Ordinal));
            foreach (var handler in handlers)
            {
                var isGet = handler.StartsWith("OnGet", StringComparison.Ordinal);
                var method = isGet ? HttpMethod.Get : HttpMethod.Post;
                var name = handler[(isGet ? "OnGet" : "OnPost").Length..];
                var rows = PermissionMatrixTests.Endpoints.Where(e => e.Method == method && e.Path.StartsWith(path, StringComparison.Ordinal)).ToList();
                var covered = name.Length == 0
                    ? rows.Any(e => !e.Path.Contains("handler=", StringComparison.Ordinal))
                    : rows.Any(e => e.Path.Contains("handler=" + name, StringComparison.Ordinal));
                covered.ShouldBeTrue($"{type.Name}.{handler} has no row in the permission matrix");
            }
        }
    }
}
