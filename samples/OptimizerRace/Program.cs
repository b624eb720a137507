// SGD, momentum, Nesterov, RMSprop, Adam and L-BFGS on Rosenbrock and Beale. See OptimizerRaceSample.cs.
return SymbolicGrad.Samples.OptimizerRace.OptimizerRaceSample.Run(args);
