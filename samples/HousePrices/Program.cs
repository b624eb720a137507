// price = w · size + b, fitted by gradient descent with the generated gradient. See HousePricesSample.cs.
return SymbolicGrad.Samples.HousePrices.HousePricesSample.Run(args);
