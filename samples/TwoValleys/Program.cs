// A shallow valley and a deeper one: how gradient descent gets out of the wrong one. See TwoValleysSample.cs.
return SymbolicGrad.Samples.TwoValleys.TwoValleysSample.Run(args);
