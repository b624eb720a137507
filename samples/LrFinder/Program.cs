// The learning-rate range test, then training with the rate it suggests. See LrFinderSample.cs.
return SymbolicGrad.Samples.LrFinder.LrFinderSample.Run(args);
