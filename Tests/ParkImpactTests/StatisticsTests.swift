import Testing
@testable import ParkImpactModel
@testable import ParkImpactDefinition
@testable import ParkImpactReading
@testable import ParkImpactState
@testable import ParkImpactKPIs
@testable import ParkImpactReports
@testable import ParkImpactPipeline

/// The Student t distribution and the regularized incomplete beta function behind the p-value of the HDD slope.
/// Expected values: closed forms worked out by hand, and scipy 1.x (`scipy.stats.t.cdf`, `2 * scipy.stats.t.sf`,
/// `scipy.special.betainc`) where no closed form is at hand, computed outside ParkImpact:
///
///     from scipy import stats, special
///     stats.t.cdf(t, df); 2 * stats.t.sf(abs(t), df); special.betainc(a, b, x)
@Suite struct StatisticsTests {
    @Test("incomplete beta: closed forms")
    func incompleteBetaClosedForms() {
        // I_x(2, 3) = Σ_{j=2..4} C(4, j) x^j (1−x)^(4−j) at x = 0.4: 6·0.16·0.36 + 4·0.064·0.6 + 0.0256
        //           = 0.3456 + 0.1536 + 0.0256 = 0.5248.
        #expect(close(Statistics.regularizedIncompleteBeta(0.4, a: 2, b: 3), 0.5248, tolerance: 1e-13))
        // I_x(1/2, 1/2) = (2/π) asin(√x); x = 1/4: (2/π)(π/6) = 1/3.
        #expect(close(Statistics.regularizedIncompleteBeta(0.25, a: 0.5, b: 0.5), 1.0 / 3, tolerance: 1e-13))
        #expect(Statistics.regularizedIncompleteBeta(0, a: 2, b: 3) == 0)
        #expect(Statistics.regularizedIncompleteBeta(1, a: 2, b: 3) == 1)
    }

    @Test("incomplete beta: scipy values")
    func incompleteBetaScipy() {
        #expect(close(Statistics.regularizedIncompleteBeta(0.9, a: 181.5, b: 0.5) / 6.405937784415541e-10, 1,
                      tolerance: 1e-9))
        #expect(close(Statistics.regularizedIncompleteBeta(0.999, a: 5, b: 0.5), 0.9222819921009667, tolerance: 1e-12))
    }

    @Test("Student t CDF: closed forms")
    func studentTClosedForms() {
        // Symmetry: P(T ≤ 0) = 1/2 for any ν.
        #expect(close(Statistics.studentTCDF(0, degreesOfFreedom: 5), 0.5, tolerance: 1e-15))
        // ν = 1 is Cauchy: 1/2 + atan(t)/π; t = 1: 3/4. Two-sided p = 1/2.
        #expect(close(Statistics.studentTCDF(1, degreesOfFreedom: 1), 0.75, tolerance: 1e-13))
        #expect(close(Statistics.twoSidedPValue(t: 1, degreesOfFreedom: 1), 0.5, tolerance: 1e-13))
        // ν = 2: P(T ≤ t) = 1/2 + t ÷ (2√(t² + 2)); t = 2: 1/2 + 2/(2√6) = 0.5 + 0.408248290463863.
        #expect(close(Statistics.studentTCDF(2, degreesOfFreedom: 2), 0.5 + 1 / 6.0.squareRoot(), tolerance: 1e-13))
        #expect(Statistics.twoSidedPValue(t: .infinity, degreesOfFreedom: 3) == 0)
    }

    @Test("Student t CDF and two-sided p-values: scipy values", arguments: [
        (2.0, 3.0, 0.9303370157205785, 0.13932596855884305),
        (-1.5, 10.0, 0.08225366322272007, 0.16450732644544014),
        (1.7, 28.0, 0.949892474751755, 0.10021505049648999),
        (2.5, 100.0, 0.9929771054379614, 0.014045789124077172),
        (0.3, 2.5, 0.6063288142524014, 0.7873423714951973),
    ])
    func studentTScipy(t: Double, nu: Double, cdf: Double, p: Double) {
        #expect(close(Statistics.studentTCDF(t, degreesOfFreedom: nu), cdf, tolerance: 1e-12))
        #expect(close(Statistics.twoSidedPValue(t: t, degreesOfFreedom: nu), p, tolerance: 1e-12))
    }

    @Test("a very significant slope: tiny p-values keep their relative precision")
    func tinyPValue() {
        // scipy: 2 * stats.t.sf(10, 363) = 5.893366035385783e-21
        #expect(close(Statistics.twoSidedPValue(t: 10, degreesOfFreedom: 363) / 5.893366035385783e-21, 1,
                      tolerance: 1e-9))
    }
}
