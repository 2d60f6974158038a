import Foundation
import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// Commuting surveys and trip logs. Expected numbers are worked out by hand in the comments.
@Suite struct MobilityFormatTests {
    func read(_ csv: String, _ format: SourceFormatName) throws -> FileResult {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("m.csv", csv)
        return try readFile(scratch.root + "/m.csv", format: format, traceLimit: 50)
    }

    func sums(_ result: FileResult, _ quantity: Quantity) -> [String: Double] {
        var sums: [String: Double] = [:]
        for series in result.series where series.key.quantity == quantity {
            sums[series.key.meter, default: 0] += series.days.values.reduce(0) { $0 + $1.sum }
        }
        return sums
    }

    @Test("a long survey: commuters per mode with average distance, recorded on 30 June of the survey year")
    func longSurvey() throws {
        let result = try read("""
            jaar;vervoerwijze;aantal;gemiddelde afstand (km)
            2021;Auto (alleen);80;22,5
            2021;Carpool;6;30
            2021;Trein;10;41
            2021;Fiets;12;7,5
            2021;Te voet;2;

            """, .commuteSurvey)
        #expect(result.rejects.isEmpty)
        #expect(sums(result, .commuteTrips) == ["car": 80, "carpool": 6, "train": 10, "bike": 12, "walk": 2])
        // pkm = commuters × average distance: 80 × 22.5 = 1800, 6 × 30 = 180, 10 × 41 = 410, 12 × 7.5 = 90.
        #expect(sums(result, .commutePassengerKm) == ["car": 1800, "carpool": 180, "train": 410, "bike": 90])
        // 30 June 2021 00:00 in Brussels (summer time) = 29 June 22:00Z.
        #expect(result.trace.first?.startUTC == utc("2021-06-29T22:00Z"))
    }

    @Test("a wide survey with shares per mode in columns")
    func wideSurvey() throws {
        let result = try read("""
            site,year,car,carpool,bus,train,bike,e-bike,walk
            s1,2024,61.5%,4%,3%,9%,14%,7.5%,1%

            """, .commuteSurvey)
        #expect(result.rejects.isEmpty)
        #expect(sums(result, .commuteTrips) == ["car": 61.5, "carpool": 4, "bus": 3, "train": 9, "bike": 14, "ebike": 7.5,
                                                 "walk": 1])
    }

    @Test("an unknown mode is rejected, naming the known ones")
    func unknownMode() throws {
        let result = try read("year,mode,trips\n2024,hoverboard,3\n2024,bike,5\n", .commuteSurvey)
        #expect(result.rejects.map(\.reason) == ["unknown mode \"hoverboard\"; known: car, carpool, motorbike, bus, "
            + "tram, train, bike, ebike, walk, other (and their Dutch and French names)"])
        #expect(sums(result, .commuteTrips) == ["bike": 5])
    }

    @Test("a trip log: trips, vehicle-km and passenger-km per mode")
    func tripLog() throws {
        let result = try read("""
            start,mode,distance_km,occupancy
            2024-03-04 07:45,carpool,24.0,3
            2024-03-04 08:05,shuttle,5.5,
            2024-03-04 17:10,carpool,24.0,2
            2024-03-05 07:50,bike,6.2,
            2024-03-05 08:00,bike,-1,

            """, .trips)
        #expect(sums(result, .trips) == ["carpool": 2, "bus": 1, "bike": 1])
        #expect(sums(result, .tripKm) == ["carpool": 48, "bus": 5.5, "bike": 6.2])
        // Passenger-km: 24 × 3 + 24 × 2 = 120 for carpool.
        #expect(sums(result, .tripPassengerKm) == ["carpool": 120, "bus": 5.5, "bike": 6.2])
        #expect(result.rejects.map(\.reason) == ["\"-1\" is not a distance in km"])
        #expect(result.rejects.first?.line == 6)
    }
}

/// Survey mode names as companies and the federal diagnostic write them (Dutch, French, English).
@Suite struct SurveyModeNameTests {
    @Test("common NL/FR/EN spellings map to the contract's modes")
    func spellings() {
        let expected: [(String, TransportMode)] = [
            ("Car (alone)", .car), ("Auto (alleen)", .car), ("Voiture (seul)", .car), ("car ( alone )", .car),
            ("Solo car", .car), ("Bedrijfswagen", .car),
            ("Covoiturage", .carpool), ("Carpoolen", .carpool), ("Carpooling", .carpool), ("Car (passenger)", .carpool),
            ("Marche", .walk), ("Marche à pied", .walk), ("À pied", .walk), ("Te voet", .walk), ("Walking", .walk),
            ("Fiets", .bike), ("Vélo", .bike), ("Bicycle", .bike),
            ("Elektrische fiets", .ebike), ("Vélo électrique", .ebike), ("E-bike", .ebike), ("Speed pedelec", .ebike),
            ("Trein", .train), ("Train", .train), ("NMBS", .train),
            ("Bus", .bus), ("De Lijn", .bus), ("TEC", .bus),
            ("Tram", .tram), ("Metro", .tram), ("Métro", .tram),
            ("Motorfiets", .motorbike), ("Moto", .motorbike), ("Scooter", .motorbike),
            ("Andere", .other), ("Autre", .other),
        ]
        for (name, mode) in expected {
            #expect(TransportMode(name: name) == mode, "\(name)")
        }
        #expect(TransportMode(name: "hoverboard") == nil)
    }

    @Test("a survey in English and French spellings is read without rejects")
    func surveyWithEnglishAndFrenchNames() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("m.csv", """
            year;mode;trips
            2024;Car (alone);40
            2024;Marche;3
            2024;Covoiturage;5
            2024;Vélo électrique;2

            """)
        let result = try readFile(scratch.root + "/m.csv", format: .commuteSurvey, traceLimit: 0)
        #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
        var sums: [String: Double] = [:]
        for series in result.series where series.key.quantity == .commuteTrips {
            sums[series.key.meter, default: 0] += series.days.values.reduce(0) { $0 + $1.sum }
        }
        #expect(sums == ["car": 40, "walk": 3, "carpool": 5, "ebike": 2])
    }
}
