import ParkImpactModel
import ParkImpactDefinition

/// Each format's time column (`RowFormat.timeColumnIndex`): the column a `date_out_of_range` reject names. Where a
/// date and a time are two columns, the date's (as `not_a_date` rejects name it).
extension FluviusFormat { var timeColumnIndex: Int? { fromDate } }
extension GenericFormat { var timeColumnIndex: Int? { timestampColumn ?? dateColumn } }
extension MeterReadingsFormat { var timeColumnIndex: Int? { dateColumn } }
extension HomeWizardEnergyFormat { var timeColumnIndex: Int? { timeColumn } }
extension HomeWizardWaterFormat { var timeColumnIndex: Int? { timeColumn } }
extension EnphaseFormat { var timeColumnIndex: Int? { timeColumn } }
extension EcoCounterFormat { var timeColumnIndex: Int? { timeColumn } }
extension SungrowFormat { var timeColumnIndex: Int? { timeColumn } }
extension SMAFormat { var timeColumnIndex: Int? { 0 } }
extension TelraamFormat { var timeColumnIndex: Int? { time } }
extension TripsFormat { var timeColumnIndex: Int? { start } }
extension WasteFormat { var timeColumnIndex: Int? { date } }
extension TemperatureFormat { var timeColumnIndex: Int? { dateColumn } }
extension ParkImpactLongFormat { var timeColumnIndex: Int? { timestamp } }
extension CommuteSurveyFormat { var timeColumnIndex: Int? { date ?? year } }
