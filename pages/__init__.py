"""Page objects: one class per screen of the storefront's cancellation flow. They know locators and
screens, nothing about settings, logs or outcomes."""
