import ArgumentParser
import ParkImpactCommands

ParkImpactCommand.main()
