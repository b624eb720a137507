// Four ways down the same hill: full batch, one example at a time, mini-batches, Adam. See WalkersSample.cs.
return SymbolicGrad.Samples.Walkers.WalkersSample.Run(args);
