// tfjs-core's CommonJS build registers no gradient functions (they are opt-in since tfjs 2.0, and the
// opt-in module `tfjs-core/dist/register_all_gradients` ships only as extension-less ESM, which Node's
// CommonJS loader cannot require). tfjs-layers' Node build bundles that module and registers every
// gradient on the shared tfjs-core engine when loaded; loading it is how tfjs-node gets them too.
import '@tensorflow/tfjs-layers';
