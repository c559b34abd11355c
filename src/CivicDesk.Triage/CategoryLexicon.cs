namespace CivicDesk.Triage;

/// <summary>
/// Words and phrases that point to each service group, in weight tiers: 3 = names the problem ("pothole", "graffiti"),
/// 2 = usually means it, 1 = a hint, below 1 = a weak hint shared with other groups. Words were chosen by reading the
/// FixMyStreet training split (how often a word appears under each group); the development split measures the result
/// (docs/triage-keyword.md). Singular forms only: plurals match too.
/// </summary>
internal static class CategoryLexicon
{
    public static IEnumerable<(string Phrase, string Tag, double Weight)> Entries() => LexiconTiers.Expand(Groups);

    private static readonly (string Label, (double Weight, string Phrases)[] Tiers)[] Groups =
    [
        ("highways_road_surface",
        [
            (3, "pothole, pot hole, road surface, resurface, resurfacing, resurfaced, surface dressing, deep pothole"),
            (2, "tarmac, manhole, manhole cover, drain cover, ironwork, carriageway, sunken, sinking, crater, rutting, rut, hole in the road, swerve, puncture, deeper than, wider than, crumbling, patching, patched, repaired"),
            (0.5, "road"),
            (1, "hole, deep, deeper, repair, surface, cover, crack, trench, reinstatement, tyre, wheel, avoid, rattle, rattling, bang, noise, breaking up, middle of the road, cm"),
        ]),
        ("pavements_footways",
        [
            (3, "paving, slab, paving stone, paving slab, trip hazard, pothole in the pavement, pothole in pavement, pothole on the pavement, hole in the pavement, hole in the footpath, pothole in the footpath, footway, uneven pavement, damaged pavement, broken pavement, kerbstone, kerb stone"),
            (2, "pavement, kerb, trip, tripped, tripping, uneven, wobbly, rocking, pushchair, buggy, mobility scooter, ankle, dropped kerb"),
            (1.5, "footpath"),
            (1, "raised, wheelchair, pram, walking, pedestrian, tree root, cracked"),
        ]),
        ("flytipping",
        [
            (3, "fly tip, fly tipping, fly tipped, fly tipper, flytip, flytipping, flytipped, flytipper, dumped, dumping, mattress, sofa, fridge, rubbish dumped, been dumped, tipped, builders rubbish, builders waste"),
            (2, "freezer, furniture, household, rubble, asbestos, carpet, abandoned material, settee, armchair, white goods, cleared up, bin bag"),
            (1, "rubbish, item, bed, chair, bag, waste, plastic, burnt, dispose, cleared, quarry, junk"),
        ]),
        ("trees_vegetation",
        [
            (3, "tree, branch, overhanging, over hanging, vegetation, foliage, knotweed, hogweed, ash dieback, tree stump, fallen tree, ivy"),
            (2, "hedge, bush, shrub, bramble, trunk, overgrown, cut back, cutting back, trim, trimming, pruning, weed, sapling, stump, leaning"),
            (1, "leaf, leaves, verge, grass, fallen, nettle, visibility, sight line, root, ash, growth, growing, dead, wind"),
        ]),
        ("drainage_flooding",
        [
            (3, "drain, gully, gulley, gullies, drainage, flooding, flooded, flood, blocked drain, culvert, soakaway, surface water, standing water"),
            (2, "silt, ditch, puddle, sewer, sewage, blockage, heavy rain, rainfall, overflows, grate, grid, water running, running water"),
            (1, "water, blocked, rain, pipe, flowing, running down, wet, ice, icy, stream"),
        ]),
        ("signs_markings_street_furniture",
        [
            (3, "sign, signpost, road sign, street sign, street name, name plate, nameplate, road marking, marking, white line, bollard, road stud, cat's eye, cats eye, illegible, crash barrier"),
            (2, "faded, repaint, repainting, repainted, railing, barrier, stud, hard to read, bench, signage"),
            (1, "line, post, bent, obscured, missing, knocked over, fence, pointing, confusing, read, illuminated"),
        ]),
        ("street_lighting",
        [
            (3, "street light, streetlight, street lamp, streetlamp, lamp post, lamppost, lamp column, street lighting, permanently out"),
            (2, "light out, light is out, lights are out, light not working, light is not working, light permanently on, light on all day, light flickering, light is flickering, lamp, lighting, flickering, very dark, pitch black, darkness, column, light on during the day"),
            (1, "light, dark, not working, out, night, lit"),
        ]),
        ("traffic_signals_crossings",
        [
            (3, "traffic light, traffic signal, pelican crossing, puffin crossing, toucan crossing, belisha beacon, push button, green man, stuck on red, red light, amber light, filter light, sequencing"),
            (2, "pedestrian crossing, crossing light, button, red, amber, sequence, timing, signal, filter, green light, lights at, lights are, lights change, lights stuck"),
            (1, "crossing, green, changing, tailback, queue, junction, pressed"),
        ]),
        ("street_cleaning_litter",
        [
            (3, "broken glass, dog fouling, dog mess, dog dirt, dog poo on, street cleaning, litter, littering, detritus, dead animal, dead fox, dead badger, dead deer, dead cat, dead bird, roadkill, syringe, needle, vomit, sweeping, road sweeper, chewing gum"),
            (2, "glass, fouling, sweep, sweeper, debris, needs cleaning, mess, mud on the road, cigarette butt, spillage, oil spill, dead"),
            (1, "cleaning, clean, cans, drink can, bottle, dirt, mud, gutter, leaves"),
        ]),
        ("public_rights_of_way",
        [
            (3, "public footpath, right of way, prow, bridleway, byway, stile, kissing gate, waymarker, waymark, waymarked, definitive, definitive map, alignment, ploughed, crops, cotswold way, gloucestershire way, footbridge"),
            (2, "field, gate, livestock, cattle, bull, inaccessible, impassable, alternative route, diverted, woodland, nettles, overgrown path"),
            (1, "footpath, path, route, horse, obstructed, walker, walk, locked, fence, brambles"),
        ]),
        ("graffiti_flyposting",
        [
            (3, "graffiti, grafitti, graffitti, grafiti, tagging, spray paint, spray painted, sprayed, sticker, flyposting, fly posting, fly poster, flyposter, daubed"),
            (2, "tag, tagged, poster, vandalised, vandalism, offensive, scrawled"),
            (1, "paint, painted, cabinet, substation"),
            (0.5, "wall"),
        ]),
        ("bins_refuse_recycling",
        [
            (3, "emptied, emptying, overflowing bin, bin full, full bin, bin is full, bin collection, missed collection, missed bin, wheelie bin, poo bin, dog bin, dog waste bin, litter bin, brown bin, green bin, blue bin, black bin, bin men, bin man, bin lorry, refuse collection, recycling collection, recycling"),
            (2, "bin, refuse, garden waste, food waste, collection, collected, empty, overflowing"),
            (1, "black bag, dog poo, dog waste, arrange for"),
        ]),
        ("abandoned_vehicles",
        [
            (3, "abandoned vehicle, abandoned car, abandoned van, abandoned caravan, abandoned motorbike, car abandoned, vehicle abandoned, untaxed, no tax, no mot, sorn, burnt out car, not been moved, hasn't moved, has not moved, not moved"),
            (2, "mot, taxed, caravan, flat tyre, registration, number plate, reg"),
            (1, "trailer, tax, abandoned"),
            (0.5, "vehicle"),
        ]),
        ("parks_open_spaces",
        [
            (3, "playground, play area, play park, swing, skate park, recreation ground, open space, green space, park bench, football pitch, goalpost, tennis court, in the park"),
            (2, "picnic, pond, meadow, allotment, grass cutting, grass needs cutting, mowing, mown, slide, climbing frame, park"),
            (1, "lake, grass, bench, play"),
        ]),
        ("obstructions_roadworks",
        [
            (3, "road works, roadwork, temporary lights, temporary traffic lights, scaffolding, skip, builders skip, cone, road closure, permit, one network, utility works, a board, sandwich board, building materials"),
            (2, "scaffold, contractor, road closed, diversion, excavation, obstructing, barriers"),
            (1, "works, obstruction, obstructed, blocking the pavement, workmen"),
        ]),
        ("parking",
        [
            (3, "parked on the pavement, parking on the pavement, pavement parking, zig zag, zigzag, keep clear, disabled bay, resident parking, parking permit, parking bay, illegally parked, parking warden, traffic warden, blocking my drive, blocking the drive, blocking driveway, car park"),
            (2, "parking, double yellow, yellow line, parked car, cars parked, vans parked, park on, enforcement"),
            (1, "parked"),
            (0.5, "park, driveway"),
        ]),
        ("other",
        [
            (3, "bus stop, bus shelter, public toilet, shopping trolley, trolley"),
            (2, "toilet, water leak, bus timetable, consultation"),
            (1, "leak, leaking, bus"),
        ]),
    ];
}
