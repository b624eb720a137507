// How big a step? (x − 3)² and w² + 4b² walked with three learning rates. See LearningRatesSample.cs.
return SymbolicGrad.Samples.LearningRates.LearningRatesSample.Run(args);
