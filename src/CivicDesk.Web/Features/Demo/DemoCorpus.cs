using System.Globalization;
using CivicDesk.Web.Domain;
using CivicDesk.Web.Features.Ingestion;

namespace CivicDesk.Web.Features.Demo;

/// <summary>One generated citizen message and the channel it arrives on.</summary>
public sealed record CorpusPost(ChannelKind Channel, InboundPost Post, bool Urgent, bool Rumour, int? Cluster);

/// <summary>
/// The shipped demo corpus: a year of citizen messages to "Demo Borough Council", generated from templates written for
/// CivicDesk (no dataset text) with a fixed seed, so every fresh clone gets the same living council. Messages fall in
/// the town's streets (each with a point), follow the seasons (leaves and flooding in autumn, ice and gritting in
/// winter, grass and bins in summer, potholes after the frosts), arrive at the hours people write, and come on six
/// channels. Some citizens follow up on their own thread; some problems are reported on several channels within hours
/// (duplicates for the case finder); a few are rumours, and a few are urgent (gas, fallen trees, flooding into homes).
/// </summary>
public static class DemoCorpus
{
    public const string ExternalIdPrefix = "corpus:";
    public const string BlueskyAccount = "@demoborough.bsky.social";
    public const string MastodonAccount = "@demoborough@social.demo-borough.example";
    public const string FacebookPage = "Demo Borough Council";

    private const double CentreLat = 51.8994, CentreLon = -2.0783;

    /// <summary>The demo town's streets: invented names on a plausible grid around the map's default centre.</summary>
    public static readonly IReadOnlyList<(string Name, string Area, double Lat, double Lon)> Streets = BuildStreets();

    private static List<(string, string, double, double)> BuildStreets()
    {
        string[] names =
        [
            "Station Road", "Mill Lane", "Church Street", "High Street", "Hawthorn Avenue", "Orchard Way", "Victoria Terrace",
            "Beech Grove", "Park Road", "Meadow Close", "Kingsway", "Elm Road", "London Road", "Bath Road", "Cedar Drive",
            "Queen Street", "Willow Walk", "Brook Street", "Church Lane", "Lower Road", "Grange Road", "Albert Street",
            "Primrose Way", "Linden Close", "Winchcombe Street", "Fairview Road", "Springfield Avenue", "Rowan Way",
            "Ashley Lane", "Sandford Road", "North Place", "Tanners Row", "Foundry Lane", "Coopers Hill", "Riverside Walk",
            "Market Square", "Chapel Street", "Holly Crescent", "Southgate", "Greenway Lane",
        ];
        string[] areas = ["Town Centre", "Northfield", "Riverside", "Eastbrook", "Southgate", "Hillview"];
        var random = new Random(1401);
        return names.Select((n, i) =>
        {
            // Spread within about 2.5 km of the centre; areas by direction, so neighbours share one.
            var angle = random.NextDouble() * 2 * Math.PI;
            var distance = 0.002 + (random.NextDouble() * 0.02);
            var area = i < 6 ? areas[0] : areas[1 + (int)(angle / (2 * Math.PI) * (areas.Length - 1))];
            return (n, area, Math.Round(CentreLat + (distance * Math.Sin(angle)), 5), Math.Round(CentreLon + (distance * 1.6 * Math.Cos(angle)), 5));
        }).ToList();
    }

    private sealed record Topic(string Name, double[] Season, bool Urgent, bool Rumour, string[] Web, string[] Social, double Weight);

    // Season: weight per month, January first.
    private static readonly double[] Flat = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    private static readonly double[] Winter = [3, 2.5, 1.2, 0.3, 0.1, 0, 0, 0, 0.1, 0.4, 1.5, 3];
    private static readonly double[] AfterFrost = [2, 2.5, 2.2, 1.6, 1, 0.7, 0.6, 0.6, 0.7, 0.9, 1.2, 1.6];
    private static readonly double[] Autumn = [1.2, 0.9, 0.6, 0.4, 0.3, 0.3, 0.5, 0.5, 1, 2.6, 3, 1.8];
    private static readonly double[] Summer = [0.2, 0.2, 0.5, 1, 1.8, 2.5, 2.8, 2.5, 1.4, 0.6, 0.3, 0.2];
    private static readonly double[] DarkEvenings = [2, 1.6, 1, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.6, 2.2, 2.4];
    private static readonly double[] Festive = [2.4, 1, 0.8, 0.8, 0.9, 1, 1.2, 1.2, 0.9, 0.9, 1, 2.2];

    private static readonly Topic[] Topics =
    [
        new("pothole", AfterFrost, false, false,
        [
            "Pothole on {street}\nThere is a deep pothole {where}. It is about {size}cm across and cars are swerving round it.",
            "Road surface breaking up on {street}\nSince the frost the surface {where} has broken up and there are loose stones everywhere.",
            "Pothole reported again on {street}\nThe hole {where} was filled {weeks} weeks ago and the repair has already failed.",
            "Dangerous pothole for cyclists, {street}\nA cyclist nearly came off at the pothole {where} this morning. Please fix it before someone is hurt.",
            "Sunken drain cover on {street}\nThe cover {where} has sunk and bangs every time a lorry goes over it.",
        ],
        [
            "the pothole on {street} {where} is getting worse every day, when is it being fixed?",
            "another tyre ruined by the pothole on {street}. Who do I claim from?",
            "{street} is more pothole than road at the moment, especially {where}",
        ], 11),
        new("ice", Winter, false, false,
        [
            "Icy pavement on {street}\nThe pavement {where} is sheet ice and has not been gritted. Older residents cannot get to the shops.",
            "Grit bin empty on {street}\nThe grit bin {where} has been empty since the first frost. Could it be refilled please?",
            "Road not gritted, {street}\nThe hill {where} was not gritted last night and two cars slid into the kerb this morning.",
        ],
        [
            "was {street} gritted last night? It's like an ice rink {where}",
            "grit bin on {street} empty again, the hill is lethal this morning",
        ], 5),
        new("leaves-drains", Autumn, false, false,
        [
            "Blocked drain on {street}\nThe gully {where} is full of leaves and the road floods right across every time it rains.",
            "Leaves blocking the pavement, {street}\nWet leaves {where} have made the footpath very slippery. Could the sweeper come round?",
            "Flooding on {street}\nAfter the rain last night there was deep water {where} and it took hours to drain away.",
            "Drain smells and is blocked, {street}\nThe drain {where} has not been cleared this year and water is pooling across the pavement.",
        ],
        [
            "{street} flooded again {where}, the drains are full of leaves",
            "any chance of a leaf sweeper on {street}? The pavement is treacherous",
        ], 9),
        new("flooding-urgent", Autumn, true, false,
        [
            "Water coming into houses on {street}\nThe drain {where} is overflowing and water is coming under our front doors. Please send someone urgently.",
            "Road under water, {street}\nThe road {where} is under about a foot of water and a car is stuck. It is not safe.",
        ],
        [
            "URGENT flooding on {street}, water coming into houses {where}. Please help",
        ], 1.2),
        new("street-light", DarkEvenings, false, false,
        [
            "Street light out on {street}\nThe lamp {where} has been out for {days} days and the street is very dark at night.",
            "Street light flickering, {street}\nThe light {where} flickers on and off all night and shines into our bedroom.",
            "Street light on during the day, {street}\nThe lamp {where} stays on all day. Column number {num}.",
        ],
        [
            "street lights out all along {street} tonight, pitch black walking home",
            "the light {where} on {street} has been out for {days} days now",
        ], 7),
        new("lamp-urgent", Flat, true, false,
        [
            "Lamp column door open with wires showing, {street}\nThe access door on the lamp column {where} is hanging off and the wires are exposed. Children walk past here to school.",
        ],
        [
            "there are live wires hanging out of the lamp post on {street} {where}, please make it safe",
        ], 0.5),
        new("bins", Festive, false, false,
        [
            "Bin not collected, {street}\nOur {bin} was not collected on {day} and the whole of {street} was missed.",
            "Missed collection again on {street}\nThis is the {nth} time this month our {bin} has been missed.",
            "Bin damaged by the crew, {street}\nOur {bin} was thrown back and the lid is broken. Could we have a replacement?",
        ],
        [
            "bins not collected on {street} again. Third time this month. Not good enough",
            "when are the {bin} collections back to normal after the holidays?",
        ], 9),
        new("flytipping", Flat, false, false,
        [
            "Fly-tipping on {street}\nSomeone has dumped {dumped} {where} overnight.",
            "Rubbish dumped in the lane off {street}\nThere is {dumped} dumped {where}. It has been there since {day}.",
        ],
        [
            "someone has dumped {dumped} on {street} {where} again",
            "fly-tipping on {street} is out of control, {dumped} this time",
        ], 7),
        new("litter-graffiti", Summer, false, false,
        [
            "Overflowing litter bin, {street}\nThe bin {where} is overflowing and rubbish is blowing across the road.",
            "Graffiti on {street}\nSomeone has sprayed graffiti on the wall {where}. Some of it is offensive.",
            "Broken glass on the pavement, {street}\nThere is broken glass all over the pavement {where}.",
        ],
        [
            "litter bins on {street} overflowing again after the weekend",
            "new graffiti on the underpass by {street}, can it be cleaned off?",
        ], 6),
        new("grass-hedges", Summer, false, false,
        [
            "Overgrown hedge on {street}\nThe hedge {where} is blocking half the pavement and you have to walk in the road with a pushchair.",
            "Grass verges not cut, {street}\nThe verges {where} have not been cut and you cannot see traffic at the junction.",
            "Weeds on the pavement, {street}\nThe pavement {where} is overgrown with weeds and nettles.",
        ],
        [
            "the verges on {street} are waist high, can't see round the junction",
            "hedge on {street} blocking the whole pavement {where}",
        ], 6),
        new("trees-storm", Autumn, false, false,
        [
            "Branch hanging off a tree, {street}\nAfter the wind a large branch {where} is hanging and could fall on the path.",
            "Tree roots lifting the pavement, {street}\nThe roots of the tree {where} have lifted the slabs and people trip on them.",
        ],
        [
            "big branch down on {street} {where} after last night's wind",
        ], 3),
        new("tree-urgent", Autumn, true, false,
        [
            "Tree fallen across the road on {street}\nA tree has come down {where} and is blocking both lanes. Cars are turning round.",
        ],
        [
            "tree down across {street}, road completely blocked {where}",
        ], 0.8),
        new("pavement", Flat, false, false,
        [
            "Broken paving slab on {street}\nThe slab {where} rocks when you step on it. My neighbour tripped on it yesterday.",
            "Dropped kerb missing, {street}\nThere is no dropped kerb {where} so wheelchair users have to go into the road.",
        ],
        [
            "broken paving on {street} {where}, someone will get hurt",
        ], 4),
        new("parking", Flat, false, false,
        [
            "Parking on the pavement, {street}\nCars park on the pavement {where} every morning and you cannot get past with a buggy.",
            "Parking on double yellow lines, {street}\nCars park on the double yellows {where} at school times and buses cannot get through.",
        ],
        [
            "school run parking on {street} is dangerous again this morning",
        ], 4),
        new("traffic-signals", Flat, false, false,
        [
            "Crossing not working on {street}\nThe button on the pedestrian crossing {where} does nothing and the green man never comes on.",
            "Traffic lights stuck on red, {street}\nThe lights {where} are stuck on red and traffic is queuing back to the roundabout.",
        ],
        [
            "lights on {street} stuck on red again, total gridlock",
        ], 3),
        new("parks", Summer, false, false,
        [
            "Broken swing in the play area near {street}\nThe chain on one of the swings has snapped.",
            "Dog waste bin full, {street}\nThe dog waste bin by the park gate {where} has not been emptied for weeks.",
        ],
        [
            "play area by {street} needs some love, swings broken and the bins overflowing",
        ], 3),
        new("footpath", Summer, false, false,
        [
            "Public footpath overgrown off {street}\nThe footpath from {street} to the fields is overgrown with brambles and nettles.",
            "Broken stile on the footpath near {street}\nThe stile is broken and impossible to climb safely.",
        ],
        [
            "footpath off {street} completely overgrown, can't get through",
        ], 2),
        new("abandoned", Flat, false, false,
        [
            "Abandoned car on {street}\nA car with no number plates has been parked {where} for a month. The tyres are flat.",
        ],
        [
            "there's been an abandoned car on {street} for weeks now",
        ], 1.5),
        new("gas", Winter, true, false,
        [
            "Strong smell of gas on {street}\nThere is a strong smell of gas {where}. It has been there since this morning.",
            "Gas smell near the roadworks, {street}\nThere is a smell of gas near the roadworks {where}. Please send someone urgently.",
        ],
        [
            "strong smell of gas on {street} {where}, who do we call?",
        ], 0.9),
        new("water-utilities", Flat, false, false,
        [
            "Water leaking from the road on {street}\nClean water has been bubbling up from the road {where} for {days} days.",
            "No water pressure on {street}\nThe whole street has had very low water pressure since {day}.",
            "Roadworks left unfinished, {street}\nThe utility company dug up the road {where} and left barriers but nobody has been back for {weeks} weeks.",
        ],
        [
            "water pouring out of the road on {street}, has anyone reported it?",
            "utility works on {street} abandoned for weeks, barriers everywhere",
        ], 3),
        new("question", Flat, false, false,
        [
            "Question about bulky waste\nHow do I book a bulky waste collection for a sofa from {street}?",
            "Question about the recycling centre\nWhat are the opening hours of the recycling centre over the bank holiday?",
            "Garden waste subscription\nI renewed my garden waste subscription but have no sticker yet. I live on {street}.",
            "Resident parking permit\nHow do I apply for a resident parking permit for {street}?",
        ],
        [
            "how do I book a bulky waste collection? Can't find it on the website",
            "what time does the recycling centre close today?",
            "do you still sell garden waste stickers at the library?",
        ], 5),
        new("compliment", Flat, false, false,
        [
            "Thank you to the crew on {street}\nThe team who cleared the drains on {street} were polite and quick. Thank you.",
        ],
        [
            "massive thank you to the crew who fixed the street light on {street} so quickly!",
            "great job on the new play area near {street}, the kids love it",
            "pothole on {street} fixed within a week of reporting it. Impressed, thank you",
        ], 3),
        new("rumour", Flat, false, true,
        [
            "Is the library closing?\nI heard at the school gate that the library near {street} is closing next month. Is that true?",
        ],
        [
            "is it true the library is closing next month? Heard it from someone at the school gate",
            "rumour going round that parking in the town centre will be free at Christmas, is that right?",
            "someone on the community page says bin collections are going monthly from April. Is this true?",
            "heard the council is selling off the park by {street} for housing?? Is this true",
            "people are saying the leisure centre pool is shutting for good, can you confirm?",
        ], 1.6),
    ];

    private static readonly (ChannelKind Channel, double Weight)[] ChannelMix =
    [
        (ChannelKind.WebForm, 38), (ChannelKind.Api, 10), (ChannelKind.Twitter, 15), (ChannelKind.Facebook, 15),
        (ChannelKind.Bluesky, 11), (ChannelKind.Mastodon, 11),
    ];

    private static readonly string[] Where =
    [
        "outside number {num}", "by the bus stop", "near the junction with {other}", "opposite the school", "by the post office",
        "at the corner with {other}", "outside the corner shop", "near the church", "by the entrance to the park", "outside the surgery",
    ];

    private static readonly string[] Dumped =
    [
        "a mattress and ten black bags", "a fridge and some carpet", "builders' rubble", "an old sofa", "a pile of tyres",
        "garden waste and broken fencing", "a washing machine",
    ];

    private static readonly string[] Bins = ["recycling", "general waste bin", "food waste caddy", "garden waste bin"];
    private static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
    private static readonly string[] Nth = ["second", "third", "fourth"];

    private static readonly string[] FollowUps =
    [
        "Any update on this please? It is still the same.",
        "Still waiting to hear back about this.",
        "This has got worse since I reported it.",
        "Just to add, my neighbour has reported it too.",
    ];

    /// <summary>
    /// About <paramref name="count"/> messages (clusters and follow-ups add a few) ending an hour before
    /// <paramref name="now"/> and reaching back <paramref name="days"/> days, always the same for the same arguments.
    /// </summary>
    public static IReadOnlyList<CorpusPost> Generate(DateTime now, int count, int days = 365, int seed = 20_261_202)
    {
        var random = new Random(seed);
        var start = now.AddDays(-days);
        var posts = new List<CorpusPost>(count + (count / 5));
        var totalWeight = Topics.Sum(t => t.Weight);
        var citizen = 0;

        // Day weights per topic come from the month; a small yearly growth (channel shift) makes later months busier.
        DateTime PickTime(Topic topic)
        {
            for (var attempt = 0; ; attempt++)
            {
                var day = start.Date.AddDays(random.Next(days));
                var growth = 0.8 + (0.4 * (day - start).TotalDays / days);
                var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.6 : 1.0;
                var w = topic.Season[day.Month - 1] * growth * weekend / 3.2;
                if (random.NextDouble() < w || attempt > 50)
                {
                    var hour = Hours[random.Next(Hours.Length)];
                    var at = day.AddHours(hour).AddMinutes(random.Next(60)).AddSeconds(random.Next(60));
                    return at < start ? start.AddHours(1) : at > now.AddHours(-1) ? now.AddHours(-1 - random.NextDouble() * 20) : at;
                }
            }
        }

        for (var i = 0; i < count; i++)
        {
            var topic = Pick(random, totalWeight);
            var at = PickTime(topic);
            var channel = PickChannel(random);
            var street = Streets[random.Next(Streets.Count)];
            posts.Add(Make(random, topic, channel, street, at, ++citizen, null));

            // A follow-up on the same thread now and then (same citizen, same channel, days later).
            if (random.NextDouble() < 0.04 && at.AddDays(3) < now.AddHours(-1) && channel != ChannelKind.Api)
            {
                var last = posts[^1];
                var follow = last.Post with
                {
                    ExternalId = last.Post.ExternalId + ":follow-up",
                    Text = (channel == ChannelKind.WebForm ? "" : Mention(channel)) + FollowUps[random.Next(FollowUps.Length)],
                    CreatedAt = Min(at.AddDays(2 + (random.NextDouble() * 5)), now.AddHours(-1)),
                    RawPayload = null,
                };
                posts.Add(last with { Post = follow with { RawPayload = Payload(channel, follow) } });
            }
        }

        // The same problem on several channels within hours: duplicates for the case finder (and a real council's day).
        for (var cluster = 1; cluster <= Math.Max(4, count / 40); cluster++)
        {
            var topic = Topics[random.Next(Topics.Length)];
            if (topic.Rumour || topic.Name is "question" or "compliment")
            {
                continue;
            }

            var street = Streets[random.Next(Streets.Count)];
            var at = PickTime(topic);
            var reporters = 2 + random.Next(3);
            var used = new HashSet<ChannelKind>();
            for (var r = 0; r < reporters; r++)
            {
                var channel = PickChannel(random);
                if (!used.Add(channel))
                {
                    continue;
                }

                posts.Add(Make(random, topic, channel, street, Min(at.AddMinutes(random.Next(5, 360)), now.AddHours(-1)), ++citizen, cluster));
            }
        }

        return posts.OrderBy(p => p.Post.CreatedAt).ThenBy(p => p.Post.ExternalId, StringComparer.Ordinal).ToList();
    }

    // When people write: evenings for forms, commutes and lunch for social, few at night.
    private static readonly int[] Hours = [7, 7, 8, 8, 8, 9, 9, 10, 11, 12, 12, 13, 13, 14, 15, 16, 17, 17, 18, 18, 19, 19, 20, 20, 21, 21, 22, 23, 6, 1];

    private static Topic Pick(Random random, double total)
    {
        var x = random.NextDouble() * total;
        foreach (var t in Topics)
        {
            if ((x -= t.Weight) <= 0)
            {
                return t;
            }
        }

        return Topics[^1];
    }

    private static ChannelKind PickChannel(Random random)
    {
        var x = random.NextDouble() * ChannelMix.Sum(c => c.Weight);
        foreach (var (channel, weight) in ChannelMix)
        {
            if ((x -= weight) <= 0)
            {
                return channel;
            }
        }

        return ChannelKind.WebForm;
    }

    private static CorpusPost Make(Random random, Topic topic, ChannelKind channel, (string Name, string Area, double Lat, double Lon) street, DateTime at, int citizen, int? cluster)
    {
        var form = channel is ChannelKind.WebForm or ChannelKind.Api;
        var template = form ? topic.Web[random.Next(topic.Web.Length)] : topic.Social[random.Next(topic.Social.Length)];
        var other = Streets[random.Next(Streets.Count)].Name;
        var text = Fill(template, random, street.Name, other == street.Name ? "Market Square" : other);
        if (!form)
        {
            text = Mention(channel) + text;
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"{ExternalIdPrefix}{channel.ToString().ToLowerInvariant()}:{citizen:00000}");
        // Forms and the contact-centre API carry a pin near the street; social posts name the street only.
        double? lat = form ? Math.Round(street.Lat + ((random.NextDouble() - 0.5) * 0.0012), 6) : null;
        double? lon = form ? Math.Round(street.Lon + ((random.NextDouble() - 0.5) * 0.0018), 6) : null;
        var post = new InboundPost(id, text, Handle(channel, citizen, random), AuthorName: form ? null : Name(random), CreatedAt: at, Latitude: lat, Longitude: lon);
        return new CorpusPost(channel, post with { RawPayload = Payload(channel, post) }, topic.Urgent, topic.Rumour, cluster);
    }

    private static string Payload(ChannelKind channel, InboundPost post) => System.Text.Json.JsonSerializer.Serialize(new
    {
        demo = true, corpus = true, channel = channel.ToString(), text = post.Text, latitude = post.Latitude, longitude = post.Longitude,
    });

    private static string Fill(string template, Random random, string street, string other) => template
        .Replace("{where}", Where[random.Next(Where.Length)], StringComparison.Ordinal)
        .Replace("{street}", street, StringComparison.Ordinal)
        .Replace("{other}", other, StringComparison.Ordinal)
        .Replace("{num}", (1 + random.Next(120)).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{size}", (20 + (5 * random.Next(12))).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{days}", (2 + random.Next(20)).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{weeks}", (2 + random.Next(8)).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{day}", Days[random.Next(Days.Length)], StringComparison.Ordinal)
        .Replace("{bin}", Bins[random.Next(Bins.Length)], StringComparison.Ordinal)
        .Replace("{nth}", Nth[random.Next(Nth.Length)], StringComparison.Ordinal)
        .Replace("{dumped}", Dumped[random.Next(Dumped.Length)], StringComparison.Ordinal);

    private static string Mention(ChannelKind channel) => channel switch
    {
        ChannelKind.Twitter => DemoData.DemoAccount + " ",
        ChannelKind.Bluesky => BlueskyAccount + " ",
        ChannelKind.Mastodon => MastodonAccount + " ",
        _ => "",
    };

    private static readonly string[] First = ["Sam", "Alex", "Jo", "Chris", "Priya", "Mohammed", "Emma", "Olu", "Kasia", "Dan", "Fatima", "Gareth", "Lucy", "Ravi", "Megan", "Tom"];
    private static readonly string[] Last = ["Jones", "Khan", "Smith", "Williams", "Patel", "Evans", "Nowak", "Brown", "Okafor", "Davies", "Hughes", "Ali"];

    private static string Name(Random random) => $"{First[random.Next(First.Length)]} {Last[random.Next(Last.Length)]}";

    private static string Handle(ChannelKind channel, int citizen, Random random) => channel switch
    {
        ChannelKind.WebForm => string.Create(CultureInfo.InvariantCulture, $"web-form:corpus{citizen:00000}"),
        ChannelKind.Api => string.Create(CultureInfo.InvariantCulture, $"crm:contact-{100_000 + citizen}"),
        ChannelKind.Twitter => string.Create(CultureInfo.InvariantCulture, $"@resident{citizen:00000}"),
        ChannelKind.Bluesky => string.Create(CultureInfo.InvariantCulture, $"@resident{citizen:00000}.bsky.social"),
        ChannelKind.Mastodon => string.Create(CultureInfo.InvariantCulture, $"@resident{citizen:00000}@social.example"),
        ChannelKind.Facebook => string.Create(CultureInfo.InvariantCulture, $"fb:{10_000_000 + (citizen * 7) + random.Next(7)}"),
        _ => "citizen",
    };

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
