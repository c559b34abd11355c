using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bogus;
using CivicDesk.Web.Data;
using CivicDesk.Web.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;

namespace CivicDesk.Web.Features.Demo;

/// <summary>What <c>civicdesk seed --synthetic N</c> makes.</summary>
/// <param name="Messages">Inbound messages in all.</param>
/// <param name="Organisations">Councils to spread them over (each with teams, channels and case services).</param>
/// <param name="CasesPerMessage">Cases opened per message (0.1: one million cases for ten million messages).</param>
/// <param name="Seed">Random seed: the same seed gives the same texts, labels and times.</param>
public sealed record SyntheticOptions(long Messages, int Organisations = 1, double CasesPerMessage = 0.1, int Seed = 20261202);

public sealed record SyntheticResult(int Organisations, long Conversations, long Messages, long Cases, TimeSpan Elapsed);

/// <summary>
/// Bulk synthetic data for benchmarks: realistic councils (teams, channels, case services, via EF), then
/// conversations, messages and cases generated with Bogus (en_GB streets, towns and names) from complaint, request,
/// question and compliment templates, labelled as triage would label them, over the last year. Places and hashtags
/// come from bounded per-organisation lists with a skewed popularity (<see cref="SyntheticTopics"/>), as a real
/// council's do: at most one street a conversation, and many reports name none (the session-11 generator made one up
/// per conversation: 262,038 distinct places a year at 1 M messages, so topic aggregates tracked messages, which no
/// gazetteer would give). Written straight to the tables, not through the ingest pipeline: PostgreSQL binary
/// <c>COPY</c>, SQLite one reused prepared INSERT per table, 50,000 messages a transaction. Columns come from the EF model, so the rows stay in step with migrations.
/// No audit events are written (the audit chain stays empty and valid) and no staff accounts are made.
/// </summary>
public sealed class SyntheticSeeder(IServiceScopeFactory scopes, DbConnectionFactory connections, TimeProvider clock)
{
    private const int MessagesPerTransaction = 50_000;

    private static readonly (string Team, string Slug)[] Teams =
    [
        ("Customer Services", "customer-services"), ("Highways", "highways"), ("Waste and Recycling", "waste"),
        ("Parks and Open Spaces", "parks"), ("Environmental Health", "environmental-health"), ("Street Lighting", "street-lighting"),
    ];

    private static readonly (ChannelKind Kind, string Name, double Share)[] Channels =
    [
        (ChannelKind.Twitter, "X (Twitter) @council", 0.35), (ChannelKind.Facebook, "Facebook page", 0.25), (ChannelKind.WebForm, "Report it form", 0.2),
        (ChannelKind.Email, "Contact email", 0.1), (ChannelKind.Bluesky, "Bluesky", 0.05), (ChannelKind.Api, "CRM integration", 0.05),
    ];

    /// <summary>Category → (team index, case service name, problem phrases).</summary>
    private static readonly (string Category, int Team, string Service, string[] Problems)[] Categories =
    [
        ("highways_road_surface", 1, "Potholes", ["a huge pothole", "a deep pothole", "the road surface breaking up", "a sunken drain cover"]),
        ("pavements_footways", 1, "Pavements", ["a cracked paving slab", "the pavement lifting", "a trip hazard on the footpath"]),
        ("flytipping", 4, "Fly-tipping", ["a dumped mattress", "bags of rubbish fly-tipped", "an old sofa dumped", "builders' rubble dumped"]),
        ("street_lighting", 5, "Street lights", ["a street light out", "a street light flickering all night", "the lamp post leaning"]),
        ("bins_refuse_recycling", 2, "Missed bins", ["our recycling not collected", "the green bin missed again", "the black bin not emptied"]),
        ("trees_vegetation", 3, "Trees and hedges", ["overgrown hedges blocking the path", "a fallen branch", "a tree blocking the light"]),
        ("drainage_flooding", 1, "Drains and flooding", ["a blocked drain", "flooding across the road", "water pouring from a drain"]),
        ("graffiti_flyposting", 4, "Graffiti", ["offensive graffiti", "graffiti all over the bus shelter", "fly-posters on the railings"]),
        ("abandoned_vehicles", 4, "Abandoned vehicles", ["an abandoned car", "a van with no tax left for weeks"]),
        ("parks_open_spaces", 3, "Parks", ["broken swings in the playground", "litter all over the park", "the park gates left open"]),
        ("street_cleaning_litter", 2, "Street cleaning", ["litter everywhere", "broken glass on the pavement", "dog mess all along the path"]),
        ("parking", 4, "Parking", ["cars parked on the pavement", "someone blocking the dropped kerb"]),
    ];

    private static readonly string[] Openers = ["There's", "There is", "Can someone look at", "Reporting", "Please sort out", "Again:", "Still"];
    private static readonly string[] Complaints =
    [
        "Reported it three weeks ago and nothing has been done.", "This is the third time I've reported it.", "Absolutely disgraceful.",
        "Why do we pay council tax?", "Someone is going to get hurt.", "Fed up with waiting.", "",
    ];
    private static readonly string[] Requests = ["Please can you send someone?", "Could this be fixed soon please?", "Thanks in advance.", ""];
    private static readonly string[] Questions =
    [
        "When will the bins be collected over the bank holiday?", "Is the tip open on Sunday?", "How do I apply for a parking permit?",
        "Who do I contact about a noisy neighbour?", "Are the libraries open this weekend?",
    ];
    private static readonly string[] Compliments =
    [
        "Thank you to the crew who fixed the street light so quickly!", "Well done to the parks team, the gardens look brilliant.",
        "Great job clearing the fly-tipping, much appreciated.",
    ];
    private static readonly string[] NoStreet = ["outside my house", "on our road", "near the school", "by the shops", "at the end of my street", "round the corner from us"];
    private static readonly string[] Urgent = ["Exposed wires hanging from the lamp post", "Smell of gas near the school", "Manhole cover missing in the road"];

    public async Task<SyntheticResult> SeedAsync(SyntheticOptions options, TextWriter? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Messages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Organisations);
        var watch = Stopwatch.StartNew();
        var now = Ingestion.MessageStore.ToMicroseconds(clock.GetUtcNow().UtcDateTime);
        Randomizer.Seed = new Random(options.Seed);
        var faker = new Faker("en_GB");
        var orgs = await CreateOrganisationsAsync(options, faker, now, ct);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var conversations = new TableWriter<Conversation>(db.Model, connections.Provider);
        var messages = new TableWriter<Message>(db.Model, connections.Provider);
        var cases = new TableWriter<Case>(db.Model, connections.Provider);

        await using var connection = await connections.OpenAsync(ct);
        var nextConversation = await NextIdAsync(connection, "Conversations", ct);
        var nextMessage = await NextIdAsync(connection, "Messages", ct);
        var nextCase = await NextIdAsync(connection, "Cases", ct);
        long written = 0, conversationCount = 0, caseCount = 0;
        var random = new Random(options.Seed);
        while (written < options.Messages)
        {
            var chunk = (int)Math.Min(MessagesPerTransaction, options.Messages - written);
            var convRows = new List<Conversation>(chunk / 2);
            var messageRows = new List<Message>(chunk);
            var caseRows = new List<Case>(chunk / 8);
            while (messageRows.Count < chunk)
            {
                var org = orgs[random.Next(orgs.Count)];
                var thread = Math.Min(chunk - messageRows.Count, 1 + (int)Math.Floor(-Math.Log(1 - random.NextDouble()) * 1.7));
                var (conversation, posts, kase) = Thread(org, faker, random, now, nextConversation++, ref nextMessage, thread, options.CasesPerMessage * thread);
                convRows.Add(conversation);
                messageRows.AddRange(posts);
                if (kase is not null)
                {
                    kase.Id = nextCase++;
                    caseRows.Add(kase);
                }
            }

            await using (var tx = await connection.BeginTransactionAsync(ct))
            {
                await conversations.WriteAsync(connection, tx, convRows, ct);
                await messages.WriteAsync(connection, tx, messageRows, ct);
                await cases.WriteAsync(connection, tx, caseRows, ct);
                await tx.CommitAsync(ct);
            }

            written += messageRows.Count;
            conversationCount += convRows.Count;
            caseCount += caseRows.Count;
            if (progress is not null)
            {
                await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{written:N0} messages, {conversationCount:N0} conversations, {caseCount:N0} cases ({written / watch.Elapsed.TotalSeconds:N0} messages/s)"));
            }
        }

        if (connections.Provider == DatabaseProvider.Postgres)
        {
            // Explicit ids were written: move the identity sequences past them, and refresh the planner's statistics.
            foreach (var table in new[] { "Conversations", "Messages", "Cases" })
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"""SELECT setval(pg_get_serial_sequence('"{table}"', 'Id'), (SELECT COALESCE(MAX("Id"), 1) FROM "{table}")); ANALYZE "{table}";""";
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        else
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA optimize;";
            await command.ExecuteNonQueryAsync(ct);
        }

        return new SyntheticResult(orgs.Count, conversationCount, written, caseCount, watch.Elapsed);
    }

    private static (Conversation, List<Message>, Case?) Thread(SyntheticOrganisation org, Faker faker, Random random, DateTime now, long conversationId,
        ref long nextMessage, int count, double caseChance)
    {
        var channel = org.PickChannel(random.NextDouble());
        var handle = channel.Kind is ChannelKind.Email or ChannelKind.WebForm ? faker.Internet.Email() : "@" + faker.Internet.UserName().ToLowerInvariant();
        var name = faker.Name.FullName();
        var street = org.Topics.Street(random);
        // Only some reports name their street ("outside my house", "on our road" do not resolve to a place).
        var namesStreet = random.NextDouble() < SyntheticTopics.ShareNamingStreet;
        var social = channel.Kind is ChannelKind.Twitter or ChannelKind.Bluesky or ChannelKind.Facebook;
        var startedAt = now.AddSeconds(-random.Next(3_600, 365 * 24 * 3600));
        var (category, teamIndex, service, problems) = Categories[random.Next(Categories.Length)];
        var roll = random.NextDouble();
        var posts = new List<Message>(count);
        string kind = "complaint", sentiment = "negative", firstText = "";
        var urgent = false;
        var at = startedAt;
        for (var i = 0; i < count; i++)
        {
            string text;
            if (i == 0 && roll < 0.08)
            {
                (text, kind, sentiment, category) = (Questions[random.Next(Questions.Length)], "question", "neutral", "none");
            }
            else if (i == 0 && roll < 0.12)
            {
                (text, kind, sentiment, category) = (Compliments[random.Next(Compliments.Length)], "compliment", "positive", "none");
            }
            else if (i == 0 && roll < 0.13)
            {
                text = $"{Urgent[random.Next(Urgent.Length)]} on {street}, {org.Town}! Please send someone now.";
                urgent = true;
                namesStreet = true;
            }
            else
            {
                var request = random.NextDouble() < 0.45;
                kind = i == 0 ? (request ? "service_request" : "complaint") : kind;
                sentiment = request ? "neutral" : "negative";
                var tail = request ? Requests[random.Next(Requests.Length)] : Complaints[random.Next(Complaints.Length)];
                var where = namesStreet ? $"{street}, {org.Town}" : NoStreet[random.Next(NoStreet.Length)];
                text = i == 0
                    ? $"{Openers[random.Next(Openers.Length)]} {problems[random.Next(problems.Length)]} {where}. {tail}".TrimEnd()
                    : $"Any update on this? {Complaints[random.Next(Complaints.Length)]}".TrimEnd();
            }

            // Placed as the pipeline would place it: only a message whose text names the street (not a follow-up).
            var place = i == 0 && namesStreet && kind is not ("question" or "compliment") ? $"{street}, {org.Town}" : null;
            if (social)
            {
                text += org.Topics.Hashtags(random);
            }

            if (i == 0)
            {
                firstText = text;
            }

            at = i == 0 ? startedAt : at.AddMinutes(random.Next(5, 60 * 24));
            var id = nextMessage++;
            var external = $"syn-{id}";
            posts.Add(new Message
            {
                Id = id, OrganisationId = org.Id, ChannelId = channel.Id, ConversationId = conversationId, Direction = MessageDirection.Inbound,
                ExternalId = external, AuthorHandle = handle, AuthorName = name, Text = text, Language = "en", CreatedAt = at, ReceivedAt = at.AddSeconds(2),
                Kind = kind, Category = category, Sentiment = sentiment, IsUrgent = urgent, UrgencyReason = urgent ? "danger to people" : null,
                Place = place,
                TriageScores = string.Create(CultureInfo.InvariantCulture,
                    $"kind={kind}:{0.55 + (random.NextDouble() * 0.44):0.###}:model;category={category}:{0.4 + (random.NextDouble() * 0.59):0.###}:model;sentiment={sentiment}:{0.5 + (random.NextDouble() * 0.49):0.###}:model"),
                RoutedTeamId = org.TeamIds[teamIndex],
                RoutingReason = $"routed to {Teams[teamIndex].Team} by rule {teamIndex}: category is {category}",
                RawPayload = JsonSerializer.Serialize(new { externalId = external, text, authorHandle = handle, authorName = name, createdAt = at }),
            });
        }

        var last = posts[^1].CreatedAt;
        var age = now - startedAt;
        var status = age.TotalDays > 30 ? (random.NextDouble() < 0.85 ? ConversationStatus.Closed : ConversationStatus.Resolved)
            : age.TotalDays > 3 ? (ConversationStatus)random.Next(0, 5) : (random.NextDouble() < 0.6 ? ConversationStatus.New : ConversationStatus.Open);
        var conversation = new Conversation
        {
            Id = conversationId, OrganisationId = org.Id, ChannelId = channel.Id, Reference = Reference("CD-Z", conversationId), CitizenHandle = handle,
            CitizenName = name, Subject = firstText.Length > 120 ? firstText[..119] + "…" : firstText, Status = status,
            Priority = urgent ? Priority.Urgent : random.NextDouble() < 0.1 ? Priority.High : Priority.Normal, AssignedTeamId = org.TeamIds[teamIndex],
            CreatedAt = startedAt, UpdatedAt = last, LastMessageAt = last, MessageCount = count, Kind = kind, Category = category, Sentiment = sentiment,
            IsUrgent = urgent, RoutingReason = posts[0].RoutingReason,
            FirstResponseAt = status is ConversationStatus.New ? null : startedAt.AddHours(random.Next(1, 48)),
            ResolvedAt = status is ConversationStatus.Resolved or ConversationStatus.Closed ? last.AddDays(random.Next(1, 10)) : null,
        };

        Case? kase = null;
        if (category != "none" && random.NextDouble() < caseChance)
        {
            kase = new Case
            {
                OrganisationId = org.Id, Reference = "", ServiceCode = org.ServiceCodes[category], Title = $"{service}: {street}",
                Description = firstText, Address = $"{street}, {org.Town}", Latitude = org.Latitude + ((random.NextDouble() - 0.5) * 0.1),
                Longitude = org.Longitude + ((random.NextDouble() - 0.5) * 0.1), Priority = conversation.Priority, TeamId = org.TeamIds[teamIndex],
                Source = CaseSource.Message, CreatedAt = startedAt.AddMinutes(30), UpdatedAt = last, DueAt = startedAt.AddDays(10),
                NonPublic = false,
            };
            if (status is ConversationStatus.Closed && CaseWorkflow.CanMove(kase.Status, CaseStatus.Fixed))
            {
                kase.MoveTo(CaseStatus.Fixed, last.AddDays(3));
            }
        }

        if (kase is not null)
        {
            kase.Reference = Reference("CS-Z", conversationId);
        }

        return (conversation, posts, kase);
    }

    /// <summary>"CD-Z" + the id in the reference alphabet: 7 characters, never one of the 6-character random references.</summary>
    private static string Reference(string prefix, long id)
    {
        const string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        var chars = new char[6];
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            chars[i] = alphabet[(int)(id % 32)];
            id /= 32;
        }

        return prefix + new string(chars);
    }

    private async Task<List<SyntheticOrganisation>> CreateOrganisationsAsync(SyntheticOptions options, Faker faker, DateTime now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CivicDeskDb>();
        var result = new List<SyntheticOrganisation>();
        var existing = await db.Organisations.CountAsync(o => o.Slug.StartsWith("synthetic-"), ct);
        for (var o = 0; o < options.Organisations; o++)
        {
            var town = faker.Address.City();
            var slug = $"synthetic-{existing + o + 1}";
            var organisation = new Organisation { Slug = slug, Name = $"{town} Borough Council (synthetic)", CreatedAt = now };
            db.Organisations.Add(organisation);
            await db.SaveChangesAsync(ct);
            var teams = Teams.Select((t, i) => new Team
            {
                OrganisationId = organisation.Id, Name = t.Team, Slug = t.Slug, IsDefault = i == 0, SeesAllConversations = i == 0, CreatedAt = now,
            }).ToList();
            db.Teams.AddRange(teams);
            var channels = Channels.Select(c => new Channel { OrganisationId = organisation.Id, Kind = c.Kind, Name = c.Name, CreatedAt = now }).ToList();
            db.Channels.AddRange(channels);
            await db.SaveChangesAsync(ct);
            var services = Categories.Select(c => new CaseService
            {
                OrganisationId = organisation.Id, Code = c.Category.Replace('_', '-'), Name = c.Service, Group = c.Category, TeamId = teams[c.Team].Id, CreatedAt = now,
            }).ToList();
            db.CaseServices.AddRange(services);
            await db.SaveChangesAsync(ct);
            result.Add(new SyntheticOrganisation(organisation.Id, town, 51.5 + (faker.Random.Double() * 2), -2 + (faker.Random.Double() * 2),
                [.. teams.Select(t => t.Id)], [.. channels.Zip(Channels, (c, s) => (c.Id, c.Kind, s.Share))],
                services.ToDictionary(s => s.Group!, s => s.Code, StringComparer.Ordinal),
                SyntheticTopics.Draw(town, unchecked((options.Seed * 31) + existing + o))));
        }

        return result;
    }

    private static async Task<long> NextIdAsync(DbConnection connection, string table, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""SELECT COALESCE(MAX("Id"), 0) + 1 FROM "{table}" """;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private sealed record SyntheticOrganisation(long Id, string Town, double Latitude, double Longitude, long[] TeamIds,
        (long Id, ChannelKind Kind, double Share)[] Channels, Dictionary<string, string> ServiceCodes, SyntheticTopics Topics)
    {
        public (long Id, ChannelKind Kind, double Share) PickChannel(double roll)
        {
            foreach (var channel in Channels)
            {
                if ((roll -= channel.Share) < 0)
                {
                    return channel;
                }
            }

            return Channels[^1];
        }
    }

    /// <summary>
    /// Writes entities of one type straight to their table, every mapped column, values converted as EF converts them
    /// (enums to their names). PostgreSQL: binary COPY. SQLite: one prepared INSERT reused for every row.
    /// </summary>
    private sealed class TableWriter<T> where T : class
    {
        private readonly string _table;
        private readonly string[] _columns;
        private readonly Func<T, object?>[] _values;
        private readonly DatabaseProvider _provider;

        public TableWriter(IModel model, DatabaseProvider provider)
        {
            var entity = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
            _table = entity.GetTableName()!;
            var table = StoreObjectIdentifier.Table(_table, entity.GetSchema());
            var properties = entity.GetProperties().Where(p => !p.IsShadowProperty()).ToArray();
            _columns = [.. properties.Select(p => p.GetColumnName(table)!)];
            _values = [.. properties.Select(Getter)];
            _provider = provider;
        }

        private static Func<T, object?> Getter(IProperty property)
        {
            var getter = property.GetGetter();
            ValueConverter? converter = property.GetValueConverter() ?? property.GetTypeMapping().Converter;
            return converter is null ? e => getter.GetClrValue(e) : e => getter.GetClrValue(e) is { } v ? converter.ConvertToProvider(v) : null;
        }

        public async Task WriteAsync(DbConnection connection, DbTransaction tx, List<T> rows, CancellationToken ct)
        {
            if (rows.Count == 0)
            {
                return;
            }

            var columns = string.Join(", ", _columns.Select(c => "\"" + c + "\""));
            if (_provider == DatabaseProvider.Postgres)
            {
                await using var importer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync($"COPY \"{_table}\" ({columns}) FROM STDIN (FORMAT BINARY)", ct);
                foreach (var row in rows)
                {
                    await importer.StartRowAsync(ct);
                    foreach (var value in _values)
                    {
                        await WriteAsync(importer, value(row), ct);
                    }
                }

                await importer.CompleteAsync(ct);
                return;
            }

            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = $"INSERT INTO \"{_table}\" ({columns}) VALUES ({string.Join(", ", _columns.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)))})";
            var parameters = new DbParameter[_columns.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i] = command.CreateParameter();
                parameters[i].ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
                command.Parameters.Add(parameters[i]);
            }

            await command.PrepareAsync(ct);
            foreach (var row in rows)
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    parameters[i].Value = _values[i](row) ?? DBNull.Value;
                }

                await command.ExecuteNonQueryAsync(ct);
            }
        }

        private static Task WriteAsync(NpgsqlBinaryImporter importer, object? value, CancellationToken ct) => value switch
        {
            null => importer.WriteNullAsync(ct),
            long l => importer.WriteAsync(l, NpgsqlDbType.Bigint, ct),
            int i => importer.WriteAsync(i, NpgsqlDbType.Integer, ct),
            bool b => importer.WriteAsync(b, NpgsqlDbType.Boolean, ct),
            double d => importer.WriteAsync(d, NpgsqlDbType.Double, ct),
            float f => importer.WriteAsync(f, NpgsqlDbType.Real, ct),
            DateTime t => importer.WriteAsync(DateTime.SpecifyKind(t, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, ct),
            string s => importer.WriteAsync(s, NpgsqlDbType.Text, ct),
            _ => importer.WriteAsync(value, ct),
        };
    }
}
