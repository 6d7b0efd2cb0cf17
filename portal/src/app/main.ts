/**
 * The browser entry point bundled into `dist/public/app.js`: defines every element and mounts
 * the shell. Nothing else runs at load time.
 */
import '../components/app-shell.js';

if (!document.querySelector('ol-app')) document.body.appendChild(document.createElement('ol-app'));
