// f = (x + y)·z at (−2, 5, −4): values forward, gradients backward, next to the generated gradient. See BackpropSample.cs.
return SymbolicGrad.Samples.Backprop.BackpropSample.Run(args);
