// The single TF.js instance every Headstart package uses. tfjs-core's CommonJS build registers no
// gradients; the @tensorflow/tfjs node bundle registers all of them (against this same tfjs-core, whose
// engine and registries are process-global), so importing it here makes tf.grads work everywhere.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';

export { tf };
