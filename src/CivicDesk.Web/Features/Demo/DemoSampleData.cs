namespace CivicDesk.Web.Features.Demo;

/// <summary>
/// Invented reports and posts for when the shared datasets are not available (a fresh clone, a container). Written for
/// CivicDesk; any resemblance to real streets is for realism only. Coordinates are scattered around the map's default centre.
/// </summary>
internal static class DemoSampleData
{
    public const string Source = "built-in sample";

    private const double Lat = 51.8994, Lon = -2.0783;

    private static DemoReport R(int n, string label, string text, double dLat, double dLon) =>
        new($"sample:{n}", text, Lat + dLat, Lon + dLon, null, label);

    public static readonly IReadOnlyList<DemoReport> Reports =
    [
        R(1, "highways_road_surface", "Large pothole on Station Road outside the post office\nAbout 40cm across and deep enough that cars are swerving round it into the oncoming lane.", 0.004, -0.006),
        R(2, "highways_road_surface", "Pothole at the junction of Mill Lane and Church Street\nCyclists have to go into the middle of the road to avoid it.", -0.006, 0.011),
        R(3, "highways_road_surface", "Road surface breaking up on Hawthorn Avenue\nLoose stones all over the road after the recent frost. It gets worse every week.", 0.012, 0.003),
        R(4, "highways_road_surface", "Sunken manhole cover on the High Street near the bus stop\nIt clunks loudly every time a lorry goes over it.", 0.001, 0.001),
        R(5, "highways_road_surface", "Several potholes along Orchard Way\nThe repair done last month has already failed and the holes are back.", -0.011, -0.009),
        R(6, "pavements_footways", "Broken paving slab outside number 14 Victoria Terrace\nIt rocks when you step on it. My neighbour tripped on it yesterday.", 0.007, -0.002),
        R(7, "pavements_footways", "Tree roots have lifted the pavement on Beech Grove\nVery difficult to get past with a pushchair or wheelchair.", -0.003, 0.008),
        R(8, "pavements_footways", "Kerb stone missing at the dropped crossing by the school gates on Park Road", 0.009, 0.012),
        R(9, "street_lighting", "Street light not working outside 22 Meadow Close\nIt has been out for over two weeks and the close is very dark at night.", -0.008, 0.004),
        R(10, "street_lighting", "Street lamp flickering on and off all night on Kingsway, near the footbridge", 0.014, -0.012),
        R(11, "street_lighting", "Street light stays on during the day on Elm Road, lamp column number 7", -0.002, -0.014),
        R(12, "traffic_signals_crossings", "Pedestrian crossing button not working on London Road by the library\nThe green man never comes on so people are crossing against the lights.", 0.003, 0.016),
        R(13, "traffic_signals_crossings", "Traffic lights stuck on red at the Bath Road junction\nQueues right back to the roundabout this morning.", -0.013, 0.002),
        R(14, "signs_markings_street_furniture", "Give way markings completely worn away at the end of Cedar Drive\nDrivers are pulling straight out.", 0.010, 0.007),
        R(15, "signs_markings_street_furniture", "Bollard knocked over on the corner of Queen Street, lying across the pavement", -0.005, -0.004),
        R(16, "signs_markings_street_furniture", "Street name sign for Willow Walk is missing, delivery drivers keep getting lost", 0.016, 0.009),
        R(17, "drainage_flooding", "Blocked drain on Brook Street\nEvery time it rains the road floods right across and water goes onto the pavement.", -0.009, 0.013),
        R(18, "drainage_flooding", "Gully full of leaves outside the church on Church Lane, water pooling after every shower", 0.006, -0.011),
        R(19, "drainage_flooding", "Flooding under the railway bridge on Lower Road\nAbout a foot of water this morning, a car got stuck.", -0.015, -0.006),
        R(20, "flytipping", "Fly-tipping in the lay-by on Cooper's Hill\nA mattress, a fridge and about ten black bags dumped overnight.", 0.018, -0.016),
        R(21, "flytipping", "Builders rubble dumped at the entrance to the allotments off Grange Road", -0.012, 0.015),
        R(22, "flytipping", "Someone has dumped a sofa and a carpet in the alleyway behind Albert Street", 0.002, -0.008),
        R(23, "bins_refuse_recycling", "Our recycling was not collected on Tuesday\nThe whole of Primrose Way was missed again, third time this month.", -0.004, 0.006),
        R(24, "bins_refuse_recycling", "Food waste caddy was taken by the crew and not returned, 5 Linden Close", 0.008, 0.002),
        R(25, "street_cleaning_litter", "Litter bin overflowing at the bus stop on the Promenade\nRubbish is blowing all over the road.", 0.000, -0.003),
        R(26, "street_cleaning_litter", "Broken glass all over the pavement outside the takeaway on Winchcombe Street", 0.005, 0.004),
        R(27, "graffiti_flyposting", "Graffiti sprayed on the wall of the underpass by the station\nSome of it is offensive and children walk through there to school.", -0.007, -0.013),
        R(28, "graffiti_flyposting", "Fly-posters covering the electricity box on the corner of Montpellier Walk", 0.003, -0.005),
        R(29, "abandoned_vehicles", "Car with no number plates has been parked on Fairview Road for a month\nThe tyres are flat and a window is smashed.", -0.010, 0.010),
        R(30, "trees_vegetation", "Overgrown hedge on Cheltenham Road is blocking the pavement\nYou have to walk in the road to get past.", 0.013, 0.014),
        R(31, "trees_vegetation", "Large branch hanging off the oak tree on the green after the storm\nIt looks like it could fall on the path at any time.", -0.016, 0.005),
        R(32, "trees_vegetation", "Grass verges on Springfield Avenue have not been cut this year and are blocking sight lines at the junction", 0.009, -0.015),
        R(33, "parks_open_spaces", "Swings broken in the play area at Pittville Park, chain snapped", 0.017, 0.001),
        R(34, "parks_open_spaces", "Dog waste bin by the park gates on Rowan Way has not been emptied for weeks", -0.001, 0.017),
        R(35, "public_rights_of_way", "Stile on the footpath from Ashley Lane to the church is broken\nImpossible to get over safely.", 0.020, -0.010),
        R(36, "public_rights_of_way", "Public footpath across the field at Hill Farm is completely overgrown with nettles and brambles", -0.018, -0.014),
        R(37, "obstructions_roadworks", "Roadworks signs left on the pavement on Sandford Road after the work finished last week", -0.006, 0.000),
        R(38, "parking", "Cars parking on the double yellow lines by the school every morning\nBuses cannot get through.", 0.011, -0.001),
        R(39, "other", "When will the public toilets in the town centre reopen? They have been closed since the summer.", 0.001, 0.003),
        R(40, "highways_road_surface", "Gas smell near the roadworks on North Place, very strong this morning. Please send someone urgently.", 0.004, 0.009),
    ];

    public static readonly IReadOnlyList<DemoSocialPost> SocialPosts =
    [
        new("sample-social:1", DemoData.DemoAccount + " the pothole on Station Road has been there for a month now, when is someone coming to fix it?"),
        new("sample-social:2", DemoData.DemoAccount + " bins not collected again on our street. Third time this month. Not good enough."),
        new("sample-social:3", DemoData.DemoAccount + " massive thank you to the crew who cleared the fallen tree on Mill Lane so quickly this morning!"),
        new("sample-social:4", DemoData.DemoAccount + " is it true the library is closing next month? Heard it from someone at the school gate"),
        new("sample-social:5", DemoData.DemoAccount + " street lights out all along Kingsway tonight, pitch black walking home"),
        new("sample-social:6", DemoData.DemoAccount + " how do I book a bulky waste collection? Can't find it on the website"),
        new("sample-social:7", DemoData.DemoAccount + " someone has dumped a load of rubbish in the lay-by on Cooper's Hill again"),
        new("sample-social:8", DemoData.DemoAccount + " the drain outside the church is blocked and the road is flooding"),
        new("sample-social:9", DemoData.DemoAccount + " great job on the new play area in the park, the kids love it"),
        new("sample-social:10", DemoData.DemoAccount + " rumour going round that parking in the town centre will be free at Christmas, is that right?"),
        new("sample-social:11", DemoData.DemoAccount + " traffic lights on Bath Road stuck on red again, total gridlock"),
        new("sample-social:12", DemoData.DemoAccount + " still waiting for a reply to my email about the overgrown footpath, two weeks now"),
    ];
}
