using CivicDesk.Web.Data;
using CivicDesk.Web.Features.Connectors;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.Ingestion;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace CivicDesk.Web.Tests.Cluster;

/// <summary>
/// Arranges the shared database (organisation, channels) for tests that run several real app processes on it. Its own
/// host runs no connectors, so only the child processes compete for the lead.
/// </summary>
internal sealed class ClusterDatabaseFactory : CivicDeskFactory
{
    public ClusterDatabaseFactory()
    {
        ClusterRequirements.Postgres();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s =>
        {
            foreach (var hosted in s.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(ConnectorHost)).ToList())
            {
                s.Remove(hosted);
            }
        });
    }

    /// <summary>The environment of one node: the same database and data directory (data-protection keys) as the others.</summary>
    public Dictionary<string, string> NodeEnvironment(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["CIVICDESK_DATA_DIR"] = DataDirectory,
            ["Database__Provider"] = nameof(DatabaseProvider.Postgres),
            ["Database__ConnectionString"] = ConnectionString,
            ["Demo__Enabled"] = "false",
            // The same TEST-ONLY allowance as the in-process hosts: the fake networks listen on http://127.0.0.1.
            ["OutboundHttp__AllowLoopback"] = "true",
            ["OutboundHttp__AllowHttp"] = "true",
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    public CivicDeskDb OpenDb(long organisationId)
    {
        var organisation = new OrganisationContext();
        organisation.Set(organisationId);
        return new PostgresCivicDeskDb(new DbContextOptionsBuilder<PostgresCivicDeskDb>().UseNpgsql(ConnectionString).Options, organisation);
    }

    /// <summary>Starts several nodes at once (start-up dominates these tests' wall time on a busy machine).</summary>
    public static async Task<WebAppProcess[]> StartNodesAsync(int count, Dictionary<string, string> environment)
    {
        var starting = Enumerable.Range(0, count).Select(_ => WebAppProcess.StartAsync(environment, TimeSpan.FromSeconds(150))).ToList();
        try
        {
            return await Task.WhenAll(starting);
        }
        catch
        {
            // One node failed to start: stop the ones that did, so no process outlives the test.
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }
    }
}

/// <summary>What the multi-node tests need; ./test.sh provides both (PostgreSQL pass, throw-away RabbitMQ).</summary>
internal static class ClusterRequirements
{
    /// <summary>The multi-node tests run one after another: each starts several app processes, and together they would starve the machine.</summary>
    public const string Collection = "Cluster";

    public static void Postgres()
    {
        if (CivicDeskFactory.Provider != DatabaseProvider.Postgres)
        {
            throw new InvalidOperationException(
                "Multi-node tests run on PostgreSQL: set CIVICDESK_TEST_PROVIDER=postgres and CIVICDESK_TEST_PG, as ./test.sh does (it excludes Category=Cluster from the SQLite pass).");
        }
    }

    /// <summary>The broker's AMQP URI and its state folder for <c>scripts/rabbitmq.sh restart</c>.</summary>
    public static (string Uri, string StateDirectory) RabbitMq() =>
        (Environment.GetEnvironmentVariable("CIVICDESK_TEST_RABBITMQ") is { Length: > 0 } uri
         && Environment.GetEnvironmentVariable("CIVICDESK_TEST_RABBITMQ_DIR") is { Length: > 0 } dir)
            ? (uri, dir)
            : throw new InvalidOperationException(
                "The RabbitMQ test needs a throw-away broker: scripts/rabbitmq.sh start DIR, then CIVICDESK_TEST_RABBITMQ=<uri> and CIVICDESK_TEST_RABBITMQ_DIR=DIR (./test.sh does this).");

    public static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CivicDesk.slnx")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }

        throw new FileNotFoundException("The repository root (CivicDesk.slnx) was not found above " + AppContext.BaseDirectory);
    }
}
