// Newton's method against gradient descent on the same functions: quadratic against linear convergence. See NewtonSample.cs.
return SymbolicGrad.Samples.Newton.NewtonSample.Run(args);
